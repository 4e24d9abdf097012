"""Where things go on a design's page, as the renderer reads them: lengths, the viewBox, the
page's size, the style of an element, the boxes of text and QR codes.

The checks at save (`designs/svg.py`) and the drawing (`rendering/template.py`) both read a
design with these functions, so the page and the boxes that are checked are those that are drawn.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import tinycss2
from tinycss2 import ast

# A CSS/SVG number: 12, -3.5, .5, 1e3 (one decimal point, at most one exponent).
NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_LEADING_NUMBER = re.compile(rf"\s*({NUMBER})")
_LENGTH = re.compile(rf"\s*({NUMBER})(?:px|pt|pc|mm|cm|in|em|ex|rem|%)?\s*", re.IGNORECASE)
_NUMBER = re.compile(NUMBER)
_SEPARATORS = re.compile(r"[\s,]+")
DEFAULT_WIDTH, DEFAULT_HEIGHT = 800.0, 600.0
DEFAULT_FONT_SIZE = 16.0


def leading_number(value: str | None, default: float) -> float:
    """The number a value starts with (`12px` is 12, `1.2.3` is 1.2), else `default`.

    How the renderer reads a length: units are not converted, a user unit is a point.
    """
    match = _LEADING_NUMBER.match(value or "")
    if match is None:
        return default
    number = float(match.group(1))
    return number if math.isfinite(number) else default


def parse_length(value: str) -> float | None:
    """One length's number (`12`, `1.5e2`, `297mm`, `50%`), or None when it is not a length."""
    match = _LENGTH.fullmatch(value)
    if match is None:
        return None
    number = float(match.group(1))
    return number if math.isfinite(number) else None


def parse_lengths(value: str) -> list[float] | None:
    """A list of lengths (`x="10 20, 30"` on text), or None when one of them is not a length."""
    numbers = []
    for part in _SEPARATORS.split(value.strip()):
        number = parse_length(part) if part else None
        if number is None:
            return None
        numbers.append(number)
    return numbers


def parse_view_box(value: str) -> tuple[float, float, float, float] | None:
    """`min-x min-y width height`, four numbers, or None when it is not that."""
    parts = [part for part in _SEPARATORS.split(value.strip()) if part]
    if len(parts) != 4 or not all(_NUMBER.fullmatch(part) for part in parts):
        return None
    numbers = [float(part) for part in parts]
    if not all(math.isfinite(number) for number in numbers):
        return None
    return numbers[0], numbers[1], numbers[2], numbers[3]


@dataclass(frozen=True)
class Page:
    """The drawing's size in points, and the scale from its user units (the viewBox) to it."""

    width: float
    height: float
    scale_x: float
    scale_y: float


def page_of(attributes: Mapping[str, str]) -> Page:
    """The page a design's root `<svg>` asks for: its width and height, else its viewBox's.

    Without either, 800 x 600. A viewBox that is not four numbers, or is empty, is ignored here;
    the checks at save refuse it.
    """
    view_box = parse_view_box(attributes.get("viewBox", ""))
    width = leading_number(attributes.get("width"), view_box[2] if view_box else DEFAULT_WIDTH)
    height = leading_number(attributes.get("height"), view_box[3] if view_box else DEFAULT_HEIGHT)
    if view_box and view_box[2] > 0 and view_box[3] > 0:
        return Page(width, height, width / view_box[2], height / view_box[3])
    return Page(width, height, 1.0, 1.0)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


def declared_style(attributes: Mapping[str, str]) -> dict[str, str]:
    """Presentation attributes, overridden by the `style` attribute, as CSS would.

    The style attribute is read by a CSS parser: a value holding `}` or `{` is no declaration
    (a design saved before the checks at save may still have one), so nothing leaks out of it.
    """
    found = {name: value for name, value in attributes.items() if "}" not in name}
    style = attributes.get("style", "")
    for item in tinycss2.parse_blocks_contents(style, skip_comments=True, skip_whitespace=True):
        if isinstance(item, ast.Declaration):
            found[item.lower_name] = tinycss2.serialize(item.value).strip()
    return found


def _positive(value: str | None, default: float) -> float:
    number = leading_number(value, default)
    return number if number > 0 else default


@dataclass(frozen=True)
class TextPlace:
    """Where a plain `<text>` is laid out: its box and font size (points), and its anchor."""

    box: Box
    font_size: float
    anchor: str  # start, middle or end, as the design wrote it


def text_place(attributes: Mapping[str, str], style: Mapping[str, str], page: Page) -> TextPlace:
    """The box of a `<text>`: from x, y (the baseline) and the anchor, as wide as the anchor
    allows inside the drawing and one line high, unless `data-width` / `data-height` say."""
    font_size = _positive(style.get("font-size"), DEFAULT_FONT_SIZE) * page.scale_y
    x = leading_number(attributes.get("x"), 0) * page.scale_x
    baseline = leading_number(attributes.get("y"), 0) * page.scale_y
    anchor = style.get("text-anchor", "start")
    room = {"middle": 2 * min(x, page.width - x), "end": x}.get(anchor, page.width - x)
    default_height = font_size * 1.5 / page.scale_y
    width = _positive(attributes.get("data-width"), room / page.scale_x) * page.scale_x
    height = _positive(attributes.get("data-height"), default_height) * page.scale_y
    left = {"middle": x - width / 2, "end": x - width}.get(anchor, x)
    return TextPlace(Box(left, baseline - font_size * 1.1, width, height), font_size, anchor)


def qr_box(attributes: Mapping[str, str], page: Page) -> Box:
    """Where a `data-qr` rectangle or image puts the QR code (100 x 100 unless it says)."""
    return Box(
        leading_number(attributes.get("x"), 0) * page.scale_x,
        leading_number(attributes.get("y"), 0) * page.scale_y,
        leading_number(attributes.get("width"), 100) * page.scale_x,
        leading_number(attributes.get("height"), 100) * page.scale_y,
    )
