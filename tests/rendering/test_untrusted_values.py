"""What a design says reaches the layout engine parsed, never pasted; a design that cannot be
drawn is an API error naming it, never a crash.

Designs stored before the checks at save are put straight into the table (`store_unchecked`):
the API refuses them today, but the renderer still meets them.
"""

import pymupdf
import pytest

from laurel.db import Database
from laurel.models import DesignType
from laurel.rendering.engine import render_pdf
from laurel.rendering.template import fill_design, fill_svg, text_color
from tests.conftest import CertifierClient, Tenant
from tests.designs.conftest import store_unchecked

NAME = {"recipient.name": "Ada Lovelace"}


def certificate(text_attributes: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
        f"<text {text_attributes}>[recipient.name]</text></svg>"
    )


def pdf_text(pdf: bytes) -> str:
    return str(pymupdf.open("pdf", pdf)[0].get_text())


@pytest.mark.parametrize(
    "attributes",
    [
        'x="10" y="40" fill="red} p{display:none}"',
        'x="10" y="40" style="fill: red} p{display:none}"',
        'x="10" y="40" fill="red; display:none"',
        'x="10" y="40" fill="rgba(0, 0, 255, 0.5)"',  # MuPDF's CSS drops text with alpha
        'x="1.2.3" y="40"',  # was a ValueError
        'x="10" y="40" font-size="0"',
    ],
)
def test_the_name_is_drawn_whatever_the_design_says(attributes: str) -> None:
    design = fill_design(certificate(attributes), NAME)
    assert pdf_text(render_pdf(design, None)) == "Ada Lovelace\n"


@pytest.mark.parametrize(
    ("value", "color"),
    [
        ("red", "#ff0000"),
        ("#ABC", "#aabbcc"),
        ("#102030", "#102030"),
        ("rgb(0, 128, 0)", "#008000"),
        ("rgba(0,0,255,.5)", "#0000ff"),
        ("hsl(0, 100%, 50%)", "#ff0000"),
        ("url(#gradient)", "#000000"),
        ("red} p{display:none}", "#000000"),
        (None, "#000000"),
    ],
)
def test_a_text_colour_reaches_the_engine_as_six_hex_digits(value: str | None, color: str) -> None:
    assert text_color(value) == color


def test_a_value_never_becomes_css_in_an_svg_badge() -> None:
    badge = (
        '<svg xmlns="http://www.w3.org/2000/svg"><style>text { font-family: "[recipient.name]" }'
        "</style><text>[recipient.name]</text></svg>"
    )
    hostile = '"} * { fill: url(https://evil.example/x) }'
    filled = fill_svg(badge, {"recipient.name": hostile}).decode()
    assert 'font-family: "[recipient.name]"' in filled  # the CSS kept as written
    assert "evil.example" in filled.split("</style>", 1)[1]  # the value, as text
    assert "evil.example" not in filled.split("</style>", 1)[0]


async def test_a_stored_design_that_cannot_be_drawn_is_a_conflict_naming_it(
    api: CertifierClient, tenant: Tenant, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    deep = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200">'
        + "<g>" * 2000
        + "</g>" * 2000
        + "</svg>"
    )
    design = await store_unchecked(database, tenant.organization_id, deep)
    response = await api.request("GET", f"/v1/designs/{design}/preview?format=png")
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert design in error["message"]
    assert "nested at most 32 deep" in error["message"]
    # structlog hands the event to the standard library's logging as a dict
    [logged] = [
        record.msg
        for record in caplog.records
        if isinstance(record.msg, dict) and record.msg.get("event") == "design_not_drawn"
    ]
    assert logged["design_id"] == design
    assert logged["format"] == "png"
    assert logged["reason"] == "svg: elements may be nested at most 32 deep"


async def test_a_stored_hostile_colour_still_shows_the_name(
    api: CertifierClient, tenant: Tenant, database: Database
) -> None:
    svg = certificate('x="10" y="40" fill="red} p{display:none}"')
    design = await store_unchecked(database, tenant.organization_id, svg, DesignType.certificate)
    response = await api.request("GET", f"/v1/designs/{design}/preview?format=pdf")
    assert response.status_code == 200, response.text
    assert pdf_text(response.content) == "Ada Lovelace\n"
