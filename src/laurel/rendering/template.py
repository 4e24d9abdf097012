"""A design's SVG template, filled in: its art, and the text boxes Laurel lays out itself.

Designs write attributes such as `[recipient.name]` in their `<text>` elements. Each plain
`<text>` (no transform) becomes a `TextBox`: its position, anchor and font from the SVG, and a
box that long values shrink or wrap to stay inside (`data-width` / `data-height` in user units;
by default as wide as the anchor allows and one line high). What stays is the art, rendered as
the SVG it is. An element with `data-qr` (a `<rect>` or `<image>` with x, y, width, height) is
where the QR code of the credential's verification URL goes. Where each box goes is read by
`designs/layout.py`, as the checks at save read it.

Values are put in as text, never as markup: the XML serializer and the layout engine escape
them, so a recipient named `<script>` or `]]>` is drawn as those characters.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree.ElementTree import Element, register_namespace, tostring

from defusedxml.ElementTree import fromstring
from tinycss2.color3 import RGBA, parse_color

from laurel.attributes.placeholders import fill_attributes
from laurel.designs.layout import Box, Page, declared_style, page_of, qr_box, text_place

# Serialized SVG keeps the default namespace and xlink's usual prefix (not ns0:, ns1:).
register_namespace("", "http://www.w3.org/2000/svg")
register_namespace("xlink", "http://www.w3.org/1999/xlink")
BLACK = "#000000"


@dataclass(frozen=True)
class TextBox:
    text: str
    box: Box
    font_size: float  # positive
    align: str  # left, center, right
    color: str  # #rrggbb, nothing else: it goes into the layout engine's CSS
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


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def text_color(value: str | None) -> str:
    """A CSS colour (named, #rgb, #rrggbb, rgb(), rgba(), hsl()) as #rrggbb; else black.

    Parsed, never pasted: the layout engine gets six hex digits whatever the design says.
    Alpha is dropped (the layout engine draws nothing for a colour with one).
    """
    color = parse_color(value or "")
    if not isinstance(color, RGBA):
        return BLACK
    channels = (round(min(max(channel, 0.0), 1.0) * 255) for channel in color[:3])
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def _text_box(element: Element, text: str, page: Page) -> TextBox:
    style = declared_style(element.attrib)
    place = text_place(element.attrib, style, page)
    family = style.get("font-family", "serif").lower()
    return TextBox(
        text=text,
        box=place.box,
        font_size=place.font_size,
        align={"middle": "center", "end": "right"}.get(place.anchor, "left"),
        color=text_color(style.get("fill")),
        family="sans-serif"
        if "sans" in family or "arial" in family or "helvetica" in family
        else "serif",
        bold=style.get("font-weight", "normal") in ("bold", "bolder", "600", "700", "800", "900"),
        italic=style.get("font-style", "normal") == "italic",
    )


def fill_design(svg: str, values: Mapping[str, str | None]) -> FilledDesign:
    """Split a design into its art and its filled-in text boxes and QR code places."""
    root = fromstring(svg, forbid_dtd=True)
    page = page_of(root.attrib)
    texts: list[TextBox] = []
    qr_boxes: list[Box] = []
    for parent in list(root.iter()):
        for child in list(parent):
            name = _local(child.tag)
            if "data-qr" in child.attrib and name in ("rect", "image"):
                qr_boxes.append(qr_box(child.attrib, page))
                parent.remove(child)
            elif name == "text" and "transform" not in child.attrib:
                content = fill_attributes("".join(child.itertext()), values)
                if content.strip():
                    texts.append(_text_box(child, " ".join(content.split()), page))
                parent.remove(child)
    return FilledDesign(tostring(root), page.width, page.height, texts, qr_boxes)


def fill_svg(svg: str, values: Mapping[str, str | None]) -> bytes:
    """The design as SVG with its attributes filled in (for badges served as SVG).

    Text only: a `<style>` element's CSS keeps its `[...]` as written, so no value (a recipient
    named `"]{} * {fill:url(...)}`) ever becomes CSS.
    """
    root = fromstring(svg, forbid_dtd=True)
    for element in root.iter():
        if element.text and _local(element.tag) != "style":
            element.text = fill_attributes(element.text, values)
        if element.tail:
            element.tail = fill_attributes(element.tail, values)
    return tostring(root)
