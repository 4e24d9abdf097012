"""What a design's SVG template may contain, checked when it is saved (docs/rendering.md).

A design is drawn for anyone who opens a credential, in our renderer and in browsers (badges
are served as SVG), so it must be inert and drawable:

- **Inert.** Well-formed XML with an `<svg>` root, no DTD (defusedxml: no entity tricks), no
  processing instruction (`<?xml-stylesheet?>` would fetch a style sheet); only the elements and
  attributes `designs/allowlist.py` names, CSS as `designs/css.py` allows it, references to the
  design itself (`#id`) and raster `data:` images (`designs/images.py`). Anything else is
  refused with a 400 naming `svg` and saying what, never silently dropped.
- **Drawable.** Lengths that are numbers (`1.2.3` is not), a viewBox of four numbers with a
  positive size, a page with a positive size the PNG can be rasterized at within its memory
  budget, positive font sizes and text boxes, and the limits below, so a design that passes is
  one the renderer can draw.
"""

from collections.abc import Iterator
from functools import partial
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from laurel.designs.allowlist import SVG_NAMESPACE, XLINK_NAMESPACE, check_attribute, check_element
from laurel.designs.css import Refused, check_style_sheet
from laurel.designs.images import EmbeddedImage
from laurel.designs.layout import (
    Page,
    declared_style,
    page_of,
    parse_length,
    parse_lengths,
    parse_view_box,
    text_place,
)
from laurel.kit.errors import ValidationFailed

# The whole SVG. Designs arrive in a JSON body of at most 1 MiB (LAUREL_MAX_BODY_BYTES), where
# escaping may double them; it also bounds what each render parses.
MAX_SVG_BYTES = 512 * 1024
MAX_ELEMENTS = 5_000
# Elements drawn, each `<use>` counted as what it repeats: ten nested groups of ten `<use>` of
# the previous one are ten billion shapes in a few hundred bytes.
MAX_DRAWN_ELEMENTS = 20_000
MAX_TEXT_BOXES = 200  # `<text>` elements
MAX_QR_PLACES = 4  # `data-qr` rectangles or images
MAX_DEPTH = 32  # elements nested in one another, the root being 1
# The page is rasterized at 144 dpi (rendering/formats.py PNG_DPI): two pixels a side per point,
# three bytes a pixel. 9 M square points (A0 at 72 dpi is 8.0 M) is a 36-megapixel PNG, its
# pixmap about 103 MiB; no side over PDF's largest page, 14,400 points (200 inches).
MAX_PAGE_AREA = 9_000_000
MAX_PAGE_SIDE = 14_400
# Embedded images, all together. Their bytes are bounded by MAX_SVG_BYTES (384 KiB decoded at
# most); what costs memory is their pixels, decoded to RGBA: 16 megapixels are about 61 MiB.
MAX_IMAGE_PIXELS = 16_000_000
RECIPIENT_NAME_ATTRIBUTE = "[recipient.name]"

_LENGTHS = frozenset(
    {"x", "y", "width", "height", "rx", "ry", "cx", "cy", "r", "fx", "fy", "fr", "x1", "y1",
     "x2", "y2", "dx", "dy", "data-width", "data-height"}
)  # fmt: skip
_LENGTH_LISTS = frozenset({"x", "y", "dx", "dy"})  # on <text> and <tspan>: one per character
_NOT_NEGATIVE = frozenset({"width", "height", "rx", "ry", "r", "fr"})
_MAY_BE_AUTO = frozenset({"width", "height", "rx", "ry"})
_POSITIVE = frozenset({"data-width", "data-height"})  # a text box's size
_HREFS = ("href", f"{{{XLINK_NAMESPACE}}}href")


def _refuse(reason: str) -> ValidationFailed:
    return ValidationFailed(f"svg: {reason}", param="svg")


class _Target:
    """ElementTree's builder, noting the processing instructions it would otherwise drop."""

    def __init__(self) -> None:
        self.builder = TreeBuilder()
        self.instructions: list[str] = []

    def start(self, tag: str, attributes: dict[str, str]) -> Element:
        return self.builder.start(tag, attributes)

    def end(self, tag: str) -> Element:
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def pi(self, target: str, data: str) -> None:
        self.instructions.append(target)

    def close(self) -> Element:
        return self.builder.close()


def _parse(svg: str) -> Element:
    target = _Target()
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    try:
        parser.feed(svg)
        root: Element = parser.close()
    except (ParseError, DefusedXmlException) as error:
        raise _refuse(f"not well-formed XML ({error})") from None
    if target.instructions:
        first = target.instructions[0]
        raise _refuse(f"processing instructions such as <?{first}?> are not allowed")
    if root.tag not in (f"{{{SVG_NAMESPACE}}}svg", "svg"):
        raise _refuse("the root element must be <svg>")
    return root


def _walk(root: Element) -> Iterator[tuple[Element, int]]:
    """Every element and its depth, without recursion (a deep design is refused, not a crash)."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        yield element, depth
        stack.extend((child, depth + 1) for child in reversed(element))


def _check_page(page: Page) -> None:
    if page.width <= 0 or page.height <= 0:
        raise Refused("the drawing's width and height must be positive")
    if max(page.width, page.height) > MAX_PAGE_SIDE or page.width * page.height > MAX_PAGE_AREA:
        raise Refused(
            f"the page is {page.width:g} x {page.height:g} points: too large to rasterize "
            f"(at most {MAX_PAGE_AREA:,} square points, about A0, and {MAX_PAGE_SIDE:,} a side)"
        )


def _check_text_place(element: Element, page: Page) -> None:
    """A text box Laurel lays out: room for the text, and no larger than the largest page."""
    place = text_place(element.attrib, declared_style(element.attrib), page)
    where = f"the <text> at x={element.get('x', '0')} y={element.get('y', '0')}"
    if place.box.width <= 0 or place.box.height <= 0:
        raise Refused(
            f"{where} leaves its text no room (it starts at or past the drawing's edge): "
            "move it, change its text-anchor or set data-width"
        )
    if max(place.box.width, place.box.height, place.font_size) > MAX_PAGE_SIDE:
        raise Refused(
            f"{where} has a box or font size over {MAX_PAGE_SIDE:,} points, larger than a page"
        )


def _check_view_box(name: str, value: str, *, root: bool) -> None:
    view_box = parse_view_box(value)
    if view_box is None:
        raise Refused(f"the viewBox of <{name}> must be four numbers: min-x min-y width height")
    if view_box[2] < 0 or view_box[3] < 0 or (root and (view_box[2] == 0 or view_box[3] == 0)):
        raise Refused(f"the viewBox of <{name}> must have a positive width and height")


def _check_lengths(name: str, attributes: dict[str, str], *, qr_place: bool) -> None:
    for attribute in _LENGTHS & attributes.keys():
        value = attributes[attribute]
        if attribute in _MAY_BE_AUTO and value.strip() == "auto":
            continue
        if attribute in _LENGTH_LISTS and name in ("text", "tspan"):
            numbers = parse_lengths(value)
        else:
            number = parse_length(value)
            numbers = None if number is None else [number]
        if numbers is None:
            raise Refused(f"{attribute}={value!r} on <{name}> is not a length")
        if attribute in _NOT_NEGATIVE and min(numbers) < 0:
            raise Refused(f"the {attribute} of <{name}> may not be negative")
        if (attribute in _POSITIVE or (qr_place and attribute in ("width", "height"))) and min(
            numbers
        ) <= 0:
            raise Refused(f"the {attribute} of <{name}> must be positive")


def _check_style_element(element: Element) -> None:
    if len(element):
        raise Refused("a <style> element holds CSS text only, no elements")
    check_style_sheet(element.text or "")


def _drawn_parts(element: Element, by_id: dict[str | None, Element]) -> list[Element]:
    """What drawing `element` draws next: its children, and the element a `<use>` repeats."""
    found = list(element)
    if element.tag in (f"{{{SVG_NAMESPACE}}}use", "use"):
        href = next((element.get(name) or "" for name in _HREFS if element.get(name)), "")
        target = by_id.get(href.strip()[1:])
        if target is not None:
            found.append(target)
    return found


def _check_drawn_elements(root: Element) -> None:
    """Count elements as drawn, each `<use>` as the element it repeats; refuse a loop."""
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    parts = partial(_drawn_parts, by_id=by_id)
    drawn: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Element, bool]] = [(root, False)]
    while stack:
        element, finished = stack.pop()
        if finished:
            on_path.discard(id(element))
            drawn[id(element)] = 1 + sum(drawn[id(part)] for part in parts(element))
            if drawn[id(element)] > MAX_DRAWN_ELEMENTS:
                raise Refused(
                    f"the design draws more than {MAX_DRAWN_ELEMENTS:,} elements, counting "
                    "what each <use> repeats"
                )
            continue
        if id(element) in drawn:
            continue
        on_path.add(id(element))
        stack.append((element, True))
        for part in parts(element):
            if id(part) in on_path:
                raise Refused("a <use> refers to an element that contains it")
            if id(part) not in drawn:
                stack.append((part, False))


def _check(root: Element) -> None:
    page = page_of(root.attrib)
    text_boxes = qr_places = 0
    images: list[EmbeddedImage] = []
    for elements, (element, depth) in enumerate(_walk(root), start=1):
        if depth > MAX_DEPTH:
            raise Refused(f"elements may be nested at most {MAX_DEPTH} deep")
        if elements > MAX_ELEMENTS:
            raise Refused(f"a design may have at most {MAX_ELEMENTS:,} elements")
        name, qr_place = _check_one(element, root, page, images)
        qr_places += qr_place
        text_boxes += name == "text"
    if text_boxes > MAX_TEXT_BOXES:
        raise Refused(f"a design may have at most {MAX_TEXT_BOXES} <text> elements")
    if qr_places > MAX_QR_PLACES:
        raise Refused(f"a design may have at most {MAX_QR_PLACES} QR code places (data-qr)")
    if sum(image.pixels for image in images) > MAX_IMAGE_PIXELS:
        raise Refused(
            f"embedded images may add up to at most {MAX_IMAGE_PIXELS // 1_000_000} megapixels"
        )
    _check_drawn_elements(root)


def _check_one(
    element: Element, root: Element, page: Page, images: list[EmbeddedImage]
) -> tuple[str, bool]:
    """One element, its attributes and its place; the images it embeds go to `images`.

    Returns its name and whether it is a QR code place, which the design counts.
    """
    name = check_element(str(element.tag))
    for attribute, value in element.attrib.items():
        image = check_attribute(name, attribute, value)
        if image is not None:
            images.append(image)
    if "viewBox" in element.attrib:
        _check_view_box(name, element.attrib["viewBox"], root=element is root)
    qr_place = "data-qr" in element.attrib and name in ("rect", "image")
    _check_lengths(name, element.attrib, qr_place=qr_place)
    if element is root:
        _check_page(page)
    if name == "text" and "transform" not in element.attrib:
        _check_text_place(element, page)
    if name == "style":
        _check_style_element(element)
    return name, qr_place


def validate_svg(svg: str, *, requires_recipient_name: bool) -> None:
    """Raise a 400 naming `svg` unless the template is a safe, drawable, self-contained SVG."""
    if len(svg.encode()) > MAX_SVG_BYTES:
        raise _refuse(f"the SVG may be at most {MAX_SVG_BYTES // 1024} KiB")
    root = _parse(svg)
    try:
        _check(root)
    except Refused as error:
        raise _refuse(str(error)) from None
    if requires_recipient_name and RECIPIENT_NAME_ATTRIBUTE not in svg:
        raise _refuse(f"a certificate design must show {RECIPIENT_NAME_ATTRIBUTE}")
