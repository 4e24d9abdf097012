"""A design's SVG template, filled in: its art, and the text boxes Laurel lays out itself.

Designs write attributes such as `[recipient.name]` in their `<text>` elements. Each plain
`<text>` (no transform) becomes a `TextBox`: its position, anchor and font from the SVG, and a
box that long values shrink or wrap to stay inside (`data-width` / `data-height` in user units;
by default as wide as the anchor allows and one line high). What stays is the art, rendered as
the SVG it is. An element with `data-qr` (a `<rect>` or `<image>` with x, y, width, height) is
where the QR code of the credential's verification URL goes.

Values are put in as text, never as markup: the XML serializer and the layout engine escape
them, so a recipient named `<script>` or `]]>` is drawn as those characters.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree.ElementTree import Element, register_namespace, tostring

from defusedxml.ElementTree import fromstring

# Serialized SVG keeps the default namespace and xlink's usual prefix (not ns0:, ns1:).
register_namespace("", "http://www.w3.org/2000/svg")
register_namespace("xlink", "http://www.w3.org/1999/xlink")
_ATTRIBUTE = re.compile(r"\[([A-Za-z][\w.]*)\]")
_NUMBER = re.compile(r"^\s*(-?[\d.]+)")
_STYLE_ITEM = re.compile(r"\s*([\w-]+)\s*:\s*([^;]+)")


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class TextBox:
    text: str
    box: Box
    font_size: float
    align: str  # left, center, right
    color: str
    family: str  # serif or sans-serif
    bold: bool
    italic: bool


@dataclass(frozen=True)
class FilledDesign:
    art_svg: bytes
    width: float
    height: float
    texts: list[TextBox]
    qr_boxes: list[Box]


def attributes_in(text: str) -> list[str]:
    """The attribute names written `[name]` in a text, in order (what `fill_attributes` fills)."""
    return _ATTRIBUTE.findall(text)


def fill_attributes(text: str, values: Mapping[str, str | None]) -> str:
    """`[name]` -> its value; unknown attributes stay visible, so a preview shows the mistake."""

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return values[name] or ""

    return _ATTRIBUTE.sub(value_of, text)


def _number(value: str | None, default: float) -> float:
    match = _NUMBER.match(value or "")
    return float(match.group(1)) if match else default


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _style(element: Element) -> dict[str, str]:
    """Presentation attributes, overridden by the `style` attribute, as CSS would."""
    found = {name: element.attrib[name] for name in element.attrib if "}" not in name}
    for name, value in _STYLE_ITEM.findall(element.attrib.get("style", "")):
        found[name] = value.strip()
    return found


def _size(root: Element) -> tuple[float, float, float, float]:
    """The drawing's width and height, and the scale from user units to it (x, y)."""
    view_box = [float(n) for n in re.split(r"[\s,]+", root.attrib.get("viewBox", "").strip()) if n]
    width = _number(root.attrib.get("width"), view_box[2] if len(view_box) == 4 else 800)
    height = _number(root.attrib.get("height"), view_box[3] if len(view_box) == 4 else 600)
    if len(view_box) == 4 and view_box[2] > 0 and view_box[3] > 0:
        return width, height, width / view_box[2], height / view_box[3]
    return width, height, 1.0, 1.0


def _text_box(element: Element, text: str, size: tuple[float, float, float, float]) -> TextBox:
    width, _, scale_x, scale_y = size
    style = _style(element)
    font_size = _number(style.get("font-size"), 16) * scale_y
    x = _number(element.attrib.get("x"), 0) * scale_x
    baseline = _number(element.attrib.get("y"), 0) * scale_y
    anchor = style.get("text-anchor", "start")
    room = {"middle": 2 * min(x, width - x), "end": x}.get(anchor, width - x)
    box_width = _number(element.attrib.get("data-width"), room / scale_x) * scale_x
    box_height = _number(element.attrib.get("data-height"), font_size * 1.5 / scale_y) * scale_y
    left = {"middle": x - box_width / 2, "end": x - box_width}.get(anchor, x)
    top = baseline - font_size * 1.1
    family = style.get("font-family", "serif").lower()
    return TextBox(
        text=text,
        box=Box(left, top, box_width, box_height),
        font_size=font_size,
        align={"middle": "center", "end": "right"}.get(anchor, "left"),
        color=style.get("fill", "#000000"),
        family="sans-serif"
        if "sans" in family or "arial" in family or "helvetica" in family
        else "serif",
        bold=style.get("font-weight", "normal") in ("bold", "bolder", "600", "700", "800", "900"),
        italic=style.get("font-style", "normal") == "italic",
    )


def _qr_box(element: Element, scale_x: float, scale_y: float) -> Box:
    attributes = element.attrib
    return Box(
        _number(attributes.get("x"), 0) * scale_x,
        _number(attributes.get("y"), 0) * scale_y,
        _number(attributes.get("width"), 100) * scale_x,
        _number(attributes.get("height"), 100) * scale_y,
    )


def fill_design(svg: str, values: Mapping[str, str | None]) -> FilledDesign:
    """Split a design into its art and its filled-in text boxes and QR code places."""
    root = fromstring(svg, forbid_dtd=True)
    size = _size(root)
    texts: list[TextBox] = []
    qr_boxes: list[Box] = []
    for parent in list(root.iter()):
        for child in list(parent):
            name = _local(child.tag)
            if "data-qr" in child.attrib and name in ("rect", "image"):
                qr_boxes.append(_qr_box(child, size[2], size[3]))
                parent.remove(child)
            elif name == "text" and "transform" not in child.attrib:
                content = fill_attributes("".join(child.itertext()), values)
                if content.strip():
                    texts.append(_text_box(child, " ".join(content.split()), size))
                parent.remove(child)
    return FilledDesign(tostring(root), size[0], size[1], texts, qr_boxes)


def fill_svg(svg: str, values: Mapping[str, str | None]) -> bytes:
    """The design as SVG with its attributes filled in (for badges served as SVG)."""
    root = fromstring(svg, forbid_dtd=True)
    for element in root.iter():
        if element.text:
            element.text = fill_attributes(element.text, values)
        if element.tail:
            element.tail = fill_attributes(element.tail, values)
    return tostring(root)
