"""The designer: a certificate or badge SVG built from a few choices (layout, title, colours,
font, logo, which attribute goes where) for issuers who do not draw their own.

The SVG is built as an element tree, so every value typed into the form is text or an attribute
value, escaped on serialization, never markup. Colours are parsed to `#rrggbb`, fonts chosen from
a fixed list, and the logo is a raster image embedded as a `data:` URI; the result then passes
the same checks as an uploaded design (designs/service.py) before it is drawn or saved.
"""

import base64
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from typing import Literal

from laurel.designs.images import raster_size
from laurel.kit.errors import ValidationFailed
from laurel.models import DesignType

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
LayoutName = Literal["classic", "modern", "badge"]
LAYOUTS: dict[str, str] = {
    "classic": "Classic certificate (A4 landscape, centred, framed)",
    "modern": "Modern certificate (A4 landscape, coloured band on the left)",
    "badge": "Round badge",
}
FONTS: dict[str, str] = {
    "sans": "Liberation Sans, Helvetica, Arial, sans-serif",
    "serif": "Liberation Serif, Times New Roman, Georgia, serif",
    "condensed": "Liberation Sans Narrow, Arial Narrow, sans-serif",
}
FONT_LABELS = {"sans": "Sans-serif", "serif": "Serif", "condensed": "Condensed sans-serif"}
ATTRIBUTES: dict[str, str] = {
    "recipient.name": "Recipient's name",
    "group.name": "Credential name",
    "credential.issueDate": "Issue date",
    "credential.expiryDate": "Expiry date",
    "credential.publicId": "Credential id",
    "": "Nothing",
}
SLOTS: dict[str, str] = {
    "headline": "Main line",
    "detail": "Second line",
    "footer_left": "Footer, left",
    "footer_right": "Footer, right",
}
DEFAULT_SLOTS = {
    "headline": "recipient.name",
    "detail": "group.name",
    "footer_left": "credential.issueDate",
    "footer_right": "credential.publicId",
}
MAX_TITLE_LENGTH = 80
# The logo travels base64-encoded inside an SVG of at most 512 KiB (designs/svg.py).
MAX_LOGO_BYTES = 256 * 1024
_HEX_COLOUR = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_LOGO_TYPES = {b"\x89PNG": "png", b"GIF8": "gif", b"\xff\xd8\xff": "jpeg", b"RIFF": "webp"}
_DATA_URI = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+")


def parse_colour(value: str, field: str) -> str:
    """`#rgb` or `#rrggbb` (the `#` optional) as `#rrggbb`, lower case."""
    match = _HEX_COLOUR.fullmatch(value.strip())
    if match is None:
        raise ValidationFailed(f"{field}: a colour such as #1f5f8b", param=field)
    digits = match[1].lower()
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return f"#{digits}"


def logo_data_uri(content: bytes) -> str:
    """An uploaded logo as a `data:` URI; only PNG, JPEG, GIF and WebP, at most 256 KiB."""
    if len(content) > MAX_LOGO_BYTES:
        raise ValidationFailed(f"logo: at most {MAX_LOGO_BYTES // 1024} KiB", param="logo")
    kind = next((kind for magic, kind in _LOGO_TYPES.items() if content.startswith(magic)), None)
    if kind is None or raster_size(content) is None:
        raise ValidationFailed("logo: a PNG, JPEG, GIF or WebP image", param="logo")
    return f"data:image/{kind};base64,{base64.b64encode(content).decode()}"


@dataclass(frozen=True)
class DesignerChoices:
    layout: LayoutName
    title: str
    subtitle: str
    primary: str
    accent: str
    font: str
    logo: str  # a data: URI, or "" for none
    slots: dict[str, str]

    @property
    def design_type(self) -> DesignType:
        return DesignType.badge if self.layout == "badge" else DesignType.certificate

    @classmethod
    def parse(cls, fields: dict[str, str], logo: str = "") -> "DesignerChoices":
        """The designer form's fields, each refused with its name when it is not one we offer."""
        layout = fields.get("layout", "classic")
        if layout not in LAYOUTS:
            raise ValidationFailed(f"layout: one of {', '.join(LAYOUTS)}", param="layout")
        title = fields.get("title", "").strip()
        subtitle = fields.get("subtitle", "").strip()
        for name, text in (("title", title), ("subtitle", subtitle)):
            if len(text) > MAX_TITLE_LENGTH:
                raise ValidationFailed(f"{name}: at most {MAX_TITLE_LENGTH} characters", param=name)
        font = fields.get("font", "sans")
        if font not in FONTS:
            raise ValidationFailed(f"font: one of {', '.join(FONTS)}", param="font")
        slots = {}
        for slot in SLOTS:
            attribute = fields.get(slot, DEFAULT_SLOTS[slot])
            if attribute not in ATTRIBUTES:
                raise ValidationFailed(f"{slot}: one of the attributes offered", param=slot)
            slots[slot] = attribute
        logo = logo or fields.get("logo_data", "")
        if logo and _DATA_URI.fullmatch(logo) is None:
            raise ValidationFailed("logo: upload the image again", param="logo")
        return cls(
            layout=layout,  # type: ignore[arg-type]  # checked against LAYOUTS above
            title=title,
            subtitle=subtitle,
            primary=parse_colour(fields.get("primary", "#1f4e79"), "primary"),
            accent=parse_colour(fields.get("accent", "#c8962d"), "accent"),
            font=font,
            logo=logo,
            slots=slots,
        )


@dataclass(frozen=True)
class _Geometry:
    width: int
    height: int
    centre: int  # x of centred text, or of left-aligned text's start
    anchor: str  # "middle" or "start"
    text_width: int
    title_y: int
    subtitle_y: int
    headline_y: int
    detail_y: int
    footer_y: int
    footer_x: tuple[int, int]
    footer_width: int
    logo_box: tuple[int, int, int, int]
    qr_box: tuple[int, int, int, int] | None
    on_colour: bool  # text drawn on the primary colour (white) rather than on white


_GEOMETRY: dict[str, _Geometry] = {
    "classic": _Geometry(
        842, 595, 421, "middle", 680, 170, 200, 290, 345, 500, (170, 672), 220,
        (371, 52, 100, 70), (391, 448, 60, 60), False,
    ),
    "modern": _Geometry(
        842, 595, 290, "start", 500, 122, 150, 292, 384, 490, (290, 540), 220,
        (48, 48, 140, 100), (86, 412, 64, 64), False,
    ),
    "badge": _Geometry(
        400, 400, 200, "middle", 260, 165, 188, 232, 266, 300, (200, 200), 220,
        (150, 62, 100, 70), None, True,
    ),
}  # fmt: skip


def _element(parent: ElementTree.Element, tag: str, **attributes: str) -> ElementTree.Element:
    return ElementTree.SubElement(
        parent, f"{{{SVG_NAMESPACE}}}{tag}", {k.replace("_", "-"): v for k, v in attributes.items()}
    )


@dataclass(frozen=True)
class _Line:
    """One text box: Laurel's layout shrinks, then wraps, a long value inside its width."""

    content: str
    x: int
    y: int
    size: int
    fill: str
    width: int
    bold: bool = False


def _text(
    parent: ElementTree.Element, choices: DesignerChoices, geometry: _Geometry, line: _Line
) -> None:
    text = _element(
        parent,
        "text",
        x=str(line.x),
        y=str(line.y),
        data_width=str(line.width),
        data_height=str(round(line.size * 1.45)),
        text_anchor=geometry.anchor,
        font_family=FONTS[choices.font],
        font_size=str(line.size),
        font_weight="bold" if line.bold else "normal",
        fill=line.fill,
    )
    text.text = line.content


def _draw_background(root: ElementTree.Element, choices: DesignerChoices) -> None:
    primary, accent = choices.primary, choices.accent
    if choices.layout == "classic":
        _element(root, "rect", width="842", height="595", fill="#ffffff")
        frame = {"fill": "none", "x": "18", "y": "18", "width": "806", "height": "559"}
        _element(root, "rect", stroke=primary, stroke_width="10", **frame)
        inner = frame | {"x": "34", "y": "34", "width": "774", "height": "527"}
        _element(root, "rect", stroke=accent, stroke_width="2", **inner)
    elif choices.layout == "modern":
        _element(root, "rect", width="842", height="595", fill="#ffffff")
        _element(root, "rect", width="236", height="595", fill=primary)
        _element(root, "rect", x="236", width="6", height="595", fill=accent)
    else:
        circle = {"cx": "200", "cy": "200"}
        _element(root, "circle", r="196", fill=accent, **circle)
        _element(root, "circle", r="184", fill=primary, **circle)
        _element(root, "circle", r="170", fill="none", stroke=accent, stroke_width="2", **circle)


def _draw_texts(root: ElementTree.Element, choices: DesignerChoices, geometry: _Geometry) -> None:
    """The title, the subtitle and the two main attribute lines, one under another."""
    on_colour = geometry.on_colour
    lines = [
        (choices.title, geometry.title_y, 30 if on_colour else 42, True,
         "#ffffff" if on_colour else choices.primary),
        (choices.subtitle, geometry.subtitle_y, 13 if on_colour else 16, False,
         "#f2f2f2" if on_colour else choices.accent),
    ]  # fmt: skip
    ink = "#ffffff" if on_colour else "#1b232b"
    for slot, y, size, bold in (
        ("headline", geometry.headline_y, 22 if on_colour else 38, True),
        ("detail", geometry.detail_y, 14 if on_colour else 20, False),
    ):
        attribute = choices.slots[slot]
        lines.append((f"[{attribute}]" if attribute else "", y, size, bold, ink))
    for content, y, size, bold, fill in lines:
        if content:
            _text(
                root,
                choices,
                geometry,
                _Line(
                    content,
                    x=geometry.centre,
                    y=y,
                    size=size,
                    fill=fill,
                    width=geometry.text_width,
                    bold=bold,
                ),
            )


def _draw_footers(root: ElementTree.Element, choices: DesignerChoices, geometry: _Geometry) -> None:
    """Two attributes with captions at the foot of a certificate; on a badge, one centred line."""
    footers = [a for a in (choices.slots["footer_left"], choices.slots["footer_right"]) if a]
    width = geometry.footer_width
    if geometry.on_colour:
        if footers:
            line = " · ".join(f"[{attribute}]" for attribute in footers)
            _text(
                root,
                choices,
                geometry,
                _Line(line, x=200, y=geometry.footer_y, size=11, fill="#f2f2f2", width=width),
            )
        return
    places = (choices.slots["footer_left"], choices.slots["footer_right"])
    for x, attribute in zip(geometry.footer_x, places, strict=True):
        if attribute:
            _text(
                root,
                choices,
                geometry,
                _Line(
                    f"[{attribute}]", x=x, y=geometry.footer_y, size=13, fill="#1b232b", width=width
                ),
            )
            _text(
                root,
                choices,
                geometry,
                _Line(
                    ATTRIBUTES[attribute].upper(),
                    x=x,
                    y=geometry.footer_y + 20,
                    size=8,
                    fill="#5b6570",
                    width=width,
                    bold=True,
                ),
            )


def build_svg(choices: DesignerChoices) -> str:
    """The design's SVG: the layout's shapes in the chosen colours, the texts and attributes in
    their places, the logo at the top and, on certificates, the verification QR code."""
    geometry = _GEOMETRY[choices.layout]
    ElementTree.register_namespace("", SVG_NAMESPACE)
    size = {"width": str(geometry.width), "height": str(geometry.height)}
    root = ElementTree.Element(
        f"{{{SVG_NAMESPACE}}}svg", {**size, "viewBox": f"0 0 {geometry.width} {geometry.height}"}
    )
    if choices.title:
        _element(root, "title").text = choices.title
    _draw_background(root, choices)
    if choices.logo:
        x, y, width, height = geometry.logo_box
        _element(root, "image", x=str(x), y=str(y), width=str(width), height=str(height),
                 href=choices.logo, preserveAspectRatio="xMidYMid meet")  # fmt: skip
    _draw_texts(root, choices, geometry)
    _draw_footers(root, choices, geometry)
    if geometry.qr_box is not None:
        x, y, width, height = geometry.qr_box
        _element(root, "rect", data_qr="verification", x=str(x), y=str(y), width=str(width),
                 height=str(height), fill="#ffffff")  # fmt: skip
    return ElementTree.tostring(root, encoding="unicode")
