"""Hostile designs (tests/designs/hostile/, one file per way in) are refused at save.

Each file opens with `<!-- refused: ... -->`, a part of the message the API must answer with, so
a file refused for some other reason (a typo that breaks the XML) fails its test. The designs of
tests/designs/allowed/ use every feature a design may have, and are accepted.
"""

from pathlib import Path

import pytest

from laurel.designs.svg import validate_svg
from laurel.kit.errors import ValidationFailed
from tests.conftest import BADGE_SVG, CertifierClient

HERE = Path(__file__).parent
HOSTILE = {path.stem: path.read_text() for path in sorted((HERE / "hostile").glob("*.svg"))}
ALLOWED = {path.stem: path.read_text() for path in sorted((HERE / "allowed").glob("*.svg"))}


def expected_refusal(svg: str) -> str:
    return svg.split("<!-- refused: ", 1)[1].split(" -->", 1)[0]


def test_the_corpus_is_there() -> None:
    assert len(HOSTILE) >= 30 and ALLOWED
    for name, svg in HOSTILE.items():
        assert expected_refusal(svg), name


@pytest.mark.parametrize(("name", "svg"), HOSTILE.items(), ids=HOSTILE.keys())
async def test_a_hostile_design_is_refused_at_save(
    api: CertifierClient, name: str, svg: str
) -> None:
    created = await api.request(
        "POST", "/v1/designs", json={"name": name, "type": "badge", "svg": svg}
    )
    assert created.status_code == 400, created.text
    error = created.json()["error"]
    assert error["code"] == "validation_error"
    assert error["param"] == "svg"
    assert error["message"].startswith("svg: ")
    assert expected_refusal(svg) in error["message"]
    assert (await api.request("GET", "/v1/designs")).json()["data"] == []


async def test_a_hostile_svg_cannot_be_patched_in(api: CertifierClient) -> None:
    design = await api.create_design("badge")
    for name, svg in list(HOSTILE.items())[:5]:
        patched = await api.request("PATCH", f"/v1/designs/{design}", json={"svg": svg})
        assert patched.status_code == 400, name
        assert patched.json()["error"]["param"] == "svg"
    assert (await api.request("GET", f"/v1/designs/{design}")).json()["svg"] == BADGE_SVG


@pytest.mark.parametrize(("name", "svg"), ALLOWED.items(), ids=ALLOWED.keys())
async def test_a_design_using_allowed_features_is_accepted(
    api: CertifierClient, name: str, svg: str
) -> None:
    created = await api.request(
        "POST", "/v1/designs", json={"name": name, "type": "certificate", "svg": svg}
    )
    assert created.status_code == 200, created.text
    assert created.json()["svg"] == svg  # stored as sent, nothing dropped


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200">{}</svg>'
ACCEPTED_CSS = [
    '<rect width="9" height="9" style="fill: url(#g) red; stroke: url(\'#g\')"/>',
    '<rect width="9" height="9" fill="rgba(10, 20, 30, 0.5)" stroke="hsl(120, 50%, 50%)"/>',
    '<rect width="9" height="9" fill="currentColor" stroke="none" color="#abc"/>',
    '<rect width="9" height="9" style="fill:#FFFFFF;fill-opacity:1;stroke-width:0.26 !important"/>',
    "<style>.a, g > rect[data-x='1']:not(.b) { fill: red; stroke-dasharray: 4, 2 }</style>",
    '<text x="9" y="9" style="font: italic bold 12px/1.5 \'Open Sans\', sans-serif">x</text>',
    "<text x='9' y='9' style=\"-inkscape-font-specification:'Sans Bold';font-weight:700\">x</text>",
    '<rect width="9" height="9" transform="matrix(1 0 0 1 5 5) rotate(45, 4, 4)"/>',
    '<g style="mix-blend-mode: multiply; enable-background: new 0 0 200 200"/>',
    '<text x="9" y="9" font-size="12pt" text-anchor="end" font-style="italic">x</text>',
    '<rect width="auto" height="9" rx="auto"/>',
    '<text x="1 2 3" y="9" dx="0,1,2">abc</text>',
]


@pytest.mark.parametrize("body", ACCEPTED_CSS)
def test_css_and_values_designs_commonly_use_are_accepted(body: str) -> None:
    validate_svg(SVG.format(body), requires_recipient_name=False)


REFUSED_CSS = [
    ('<rect style="fill: var(--paint)"/>', "var() is not allowed"),
    ('<rect style="--paint: url(https://evil.example/)"/>', "property --paint is not allowed"),
    ('<rect style="fill: expression(alert(1))"/>', "expression() is not allowed"),
    ('<rect style="stroke-width: calc(1px + attr(x))"/>', "calc() is not allowed"),
    ('<rect style="-moz-binding: url(https://evil.example/x.xml#b)"/>', "-moz-binding"),
    ('<rect style="behavior: url(evil.htc)"/>', "property behavior is not allowed"),
    ("<style>@media print { rect { fill: red } }</style>", "@media"),
    ("<style>rect { g { fill: red } }</style>", "holds a rule where declarations belong"),
    ("<style>rect { fill: red; } }</style>", "not CSS that can be read"),
    ("<rect style=\"fill: 'red'\"/>", "the value of fill may not contain"),
    ('<rect fill="url(#a) url(#b)"/>', "fill must be a colour, none or url(#id)"),
    ('<rect fill="url(data:image/png;base64,iVBORw0KGgo=)"/>', "only url(#id) is allowed"),
    ('<stop stop-color="url(#a)"/>', "url() is not allowed in stop-color"),
    ("<rect style=\"fill: red; @import 'x.css'\"/>", "at-rules such as @import"),
    ('<text font-size="0">x</text>', "font-size must be a positive size"),
    ('<text style="font-size: -4px">x</text>', "font-size must be a positive size"),
    (
        '<text font-weight="5000">x</text>',
        "font-weight must be normal, bold, bolder, lighter or 1-1000, not '5000'",
    ),
    ('<text text-anchor="left">x</text>', "text-anchor must be start, middle or end"),
    ('<text font-style="bold">x</text>', "font-style must be normal, italic or oblique, not"),
    ('<stop stop-color="12"/>', "stop-color must be a colour, not '12'"),
    ('<rect stroke="red blue"/>', "stroke must be a colour, none or url(#id), not 'red"),
    ('<rect fill="red" style="fill: u\\72l(//evil.example/x)"/>', "refers outside the design"),
]


@pytest.mark.parametrize(("body", "reason"), REFUSED_CSS)
def test_css_beyond_the_allowed_is_refused(body: str, reason: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        validate_svg(SVG.format(body), requires_recipient_name=False)
    assert refused.value.param == "svg"
    assert reason in refused.value.message, refused.value.message
