"""The designer's SVG builder: values escaped, colours parsed, every layout a valid design."""

import xml.etree.ElementTree as ElementTree

import pytest

from laurel.designs.builder import (
    LAYOUTS,
    DesignerChoices,
    build_svg,
    logo_data_uri,
    parse_colour,
)
from laurel.designs.svg import validate_svg
from laurel.kit.errors import ValidationFailed


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_layout_passes_the_design_checks(layout: str) -> None:
    choices = DesignerChoices.parse({"layout": layout, "title": "T", "subtitle": "S"})
    svg = build_svg(choices)
    validate_svg(svg, requires_recipient_name=choices.design_type == "certificate")
    assert "[recipient.name]" in svg
    assert ('data-qr="verification"' in svg) == (layout != "badge")


def test_typed_values_stay_text() -> None:
    title = '"/><script>alert(1)</script><text x="'
    svg = build_svg(DesignerChoices.parse({"title": title, "subtitle": "a & b"}))
    root = ElementTree.fromstring(svg)
    texts = [element.text for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert title in texts
    assert "a & b" in texts
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))


@pytest.mark.parametrize(
    ("typed", "parsed"), [("#ABC", "#aabbcc"), ("1f4e79", "#1f4e79"), (" #00ff00 ", "#00ff00")]
)
def test_colours_are_parsed(typed: str, parsed: str) -> None:
    assert parse_colour(typed, "primary") == parsed


@pytest.mark.parametrize("typed", ["red", "#12345", "#1f4e79; fill:url(x)", ""])
def test_other_colours_are_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_colour(typed, "accent")
    assert refused.value.param == "accent"


def test_a_logo_must_be_a_small_raster_image() -> None:
    gif = (  # a 1 x 1 GIF
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00"
        b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )
    assert logo_data_uri(gif).startswith("data:image/gif;base64,R0lG")
    for content in (b"<svg/>", b"GIF89a" + b"\x00" * (256 * 1024)):
        with pytest.raises(ValidationFailed) as refused:
            logo_data_uri(content)
        assert refused.value.param == "logo"
