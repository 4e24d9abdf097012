"""Designs that could never be drawn, or only at a cost no certificate needs, are refused at save.

Each limit (docs/rendering.md) is checked just past it (refused, with a message naming the
problem) and at it (accepted), so moving a limit or breaking its check fails here.
"""

import base64
import struct
import zlib

import pytest

from laurel.designs.svg import (
    MAX_DEPTH,
    MAX_ELEMENTS,
    MAX_IMAGE_PIXELS,
    MAX_QR_PLACES,
    MAX_TEXT_BOXES,
    validate_svg,
)
from laurel.kit.errors import ValidationFailed
from tests.conftest import CertifierClient

NS = 'xmlns="http://www.w3.org/2000/svg"'


def svg(body: str, root: str = 'width="800" height="600"') -> str:
    return f"<svg {NS} {root}>{body}</svg>"


def nested(depth: int) -> str:
    """`depth` elements in all, one inside the other, the root being the first."""
    return svg("<g>" * (depth - 1) + "</g>" * (depth - 1))


def png_claiming(width: int, height: int) -> str:
    """A PNG header saying width x height: a few bytes that decode to width * height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    checksum = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    chunk = struct.pack(">I", 13) + b"IHDR" + header + checksum
    data = base64.b64encode(b"\x89PNG\r\n\x1a\n" + chunk).decode()
    return f'<image width="10" height="10" href="data:image/png;base64,{data}"/>'


def uses(levels: int, fan_out: int) -> str:
    """`levels` groups, each using the one before `fan_out` times: fan_out ** levels shapes."""
    groups = ['<g id="l0"><rect width="1" height="1"/></g>']
    for level in range(1, levels + 1):
        repeated = f'<use href="#l{level - 1}"/>' * fan_out
        groups.append(f'<g id="l{level}">{repeated}</g>')
    return svg(f"<defs>{''.join(groups)}</defs><use href='#l{levels}'/>")


UNDRAWABLE = {
    "viewBox of three numbers": (svg("", 'viewBox="0 0 100"'), "must be four numbers"),
    "viewBox of words": (svg("", 'viewBox="a b c d"'), "must be four numbers"),
    "viewBox of no width": (svg("", 'viewBox="0 0 0 100"'), "positive width and height"),
    "negative viewBox": (svg('<svg viewBox="0 0 -1 1"/>'), "positive width and height"),
    "width 1.2.3": (svg("", 'width="1.2.3" height="600"'), "width='1.2.3' on <svg> is not"),
    "x 1.2.3": (svg('<rect x="1.2.3" width="5" height="5"/>'), "x='1.2.3' on <rect> is not"),
    "zero width": (svg("", 'width="0" height="600"'), "width and height must be positive"),
    "negative height": (svg("", 'width="800" height="-5"'), "height of <svg> may not be"),
    "negative radius": (svg('<circle r="-5"/>'), "the r of <circle> may not be negative"),
    "nested too deep": (nested(MAX_DEPTH + 1), f"nested at most {MAX_DEPTH} deep"),
    "nested 5000 deep": (nested(5000), f"nested at most {MAX_DEPTH} deep"),
    "too many elements": (svg("<g/>" * MAX_ELEMENTS), "at most 5,000 elements"),
    "too many text boxes": (
        svg('<text x="1" y="20">a</text>' * (MAX_TEXT_BOXES + 1)),
        "at most 200 <text> elements",
    ),
    "too many QR codes": (
        svg('<rect data-qr="1" width="10" height="10"/>' * (MAX_QR_PLACES + 1)),
        "at most 4 QR code places",
    ),
    "QR code of no size": (svg('<rect data-qr="1" width="0"/>'), "width of <rect> must be"),
    "page too large": (svg("", 'width="3001" height="3000"'), "too large to rasterize"),
    "page too long": (svg("", 'width="14401" height="10"'), "too large to rasterize"),
    "text past the edge": (svg('<text x="900" y="20">[x]</text>'), "leaves its text no room"),
    "text centred on the edge": (
        svg('<text y="20" text-anchor="middle">[x]</text>'),
        "leaves its text no room",
    ),
    "text box of no height": (svg('<text y="20" data-height="0">x</text>'), "data-height"),
    "font larger than a page": (
        svg('<text y="20" font-size="20000" data-height="10">x</text>'),
        "box or font size over 14,400 points",
    ),
    "use loop": (svg('<g id="a"><use href="#a"/></g>'), "refers to an element that contains it"),
    "use of uses": (uses(5, 10), "draws more than 20,000 elements"),
    "image of too many pixels": (svg(png_claiming(20_000, 20_000)), "at most 16 megapixels"),
    "image not base64": (
        svg('<image href="data:image/png;base64,abc"/>'),
        "not valid base64",
    ),
    "image that is not one": (
        svg(f'<image href="data:image/png;base64,{base64.b64encode(b"<svg/>").decode()}"/>'),
        "is not a PNG, JPEG, GIF or WebP image",
    ),
}


@pytest.mark.parametrize(("design", "reason"), UNDRAWABLE.values(), ids=UNDRAWABLE.keys())
def test_a_design_that_cannot_be_drawn_is_refused(design: str, reason: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        validate_svg(design, requires_recipient_name=False)
    assert refused.value.param == "svg"
    assert reason in refused.value.message, refused.value.message


AT_THE_LIMITS = {
    "nested as deep as allowed": nested(MAX_DEPTH),
    "as many elements as allowed": svg("<g/>" * (MAX_ELEMENTS - 1)),
    "as many text boxes as allowed": svg('<text x="1" y="20">a</text>' * MAX_TEXT_BOXES),
    "as many QR codes as allowed": svg('<rect data-qr="1" width="9" height="9"/>' * MAX_QR_PLACES),
    "the largest page": svg("", 'width="3000" height="3000"'),
    "a long page": svg("", 'width="14400" height="625"'),
    "units and percentages": svg('<rect x="10%" width="5cm" height="1e2"/>', 'width="297mm"'),
    "a viewBox with commas": svg("", 'viewBox="0,0,842,595"'),
    "uses within bounds": uses(3, 10),
    "images of as many pixels as allowed": svg(png_claiming(4000, MAX_IMAGE_PIXELS // 4000)),
    "a text box centred with room": svg('<text x="400" y="20" text-anchor="middle">x</text>'),
}


@pytest.mark.parametrize("design", AT_THE_LIMITS.values(), ids=AT_THE_LIMITS.keys())
def test_a_design_at_the_limits_is_accepted(design: str) -> None:
    validate_svg(design, requires_recipient_name=False)


async def test_the_api_refuses_a_deep_design_instead_of_crashing(api: CertifierClient) -> None:
    response = await api.request(
        "POST", "/v1/designs", json={"name": "Deep", "type": "badge", "svg": nested(5000)}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == {
        "code": "validation_error",
        "message": f"svg: elements may be nested at most {MAX_DEPTH} deep",
        "param": "svg",
    }
