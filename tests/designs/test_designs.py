"""Designs: CRUD, SVG safety, and the rules that keep templates consistent."""

import pytest

from tests.conftest import BADGE_SVG, CERTIFICATE_SVG, CertifierClient


async def test_create_get_update_list_delete(api: CertifierClient) -> None:
    created = await api.request(
        "POST",
        "/v1/designs",
        json={"name": "Classic", "type": "certificate", "svg": CERTIFICATE_SVG},
    )
    assert created.status_code == 200, created.text
    design = created.json()
    assert list(design) == ["id", "name", "type", "svg", "previewUrl", "createdAt", "updatedAt"]
    assert design["type"] == "certificate"

    got = await api.request("GET", f"/v1/designs/{design['id']}")
    assert got.json() == design

    renamed = await api.request("PATCH", f"/v1/designs/{design['id']}", json={"name": "Modern"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Modern"
    assert renamed.json()["svg"] == CERTIFICATE_SVG

    listing = (await api.request("GET", "/v1/designs")).json()
    assert [d["id"] for d in listing["data"]] == [design["id"]]
    assert listing["pagination"] == {"prev": None, "next": None}

    assert (await api.request("DELETE", f"/v1/designs/{design['id']}")).status_code == 204
    assert (await api.request("GET", f"/v1/designs/{design['id']}")).status_code == 404


SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg">'
UNSAFE_SVGS = {
    "not xml": "<svg",
    "wrong root": '<html xmlns="http://www.w3.org/1999/xhtml"/>',
    "script": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "event handler": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "external image": (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<image xlink:href="https://evil.example/x.png"/></svg>'
    ),
    "javascript link": f'{SVG_OPEN}<a href="javascript:alert(1)"/></svg>',
    "css import": f"{SVG_OPEN}<style>@import url(x.css);</style></svg>",
    "css url": '<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(http://x/y)"/></svg>',
    "foreign object": '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
    "entity expansion": (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>'
    ),
    "too large": '<svg xmlns="http://www.w3.org/2000/svg">' + "<g/>" * 140_000 + "</svg>",
}


@pytest.mark.parametrize("svg", UNSAFE_SVGS.values(), ids=UNSAFE_SVGS.keys())
async def test_unsafe_or_broken_svg_is_refused(api: CertifierClient, svg: str) -> None:
    response = await api.request(
        "POST", "/v1/designs", json={"name": "Bad", "type": "badge", "svg": svg}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "svg"
    assert (await api.request("GET", "/v1/designs")).json()["data"] == []


async def test_inline_images_and_internal_links_are_fine(api: CertifierClient) -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<defs><linearGradient id="g"/></defs><rect style="fill:url(#g)"/>'
        '<image xlink:href="data:image/png;base64,iVBORw0KGgo="/></svg>'
    )
    response = await api.request(
        "POST", "/v1/designs", json={"name": "Ok", "type": "badge", "svg": svg}
    )
    assert response.status_code == 200, response.text


async def test_a_certificate_design_must_show_the_recipient_name(api: CertifierClient) -> None:
    response = await api.request(
        "POST", "/v1/designs", json={"name": "Nameless", "type": "certificate", "svg": BADGE_SVG}
    )
    assert response.status_code == 400
    assert "[recipient.name]" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"type": "badge", "svg": BADGE_SVG}, "name"),
        ({"name": "x", "type": "poster", "svg": BADGE_SVG}, "type"),
        ({"name": "x", "type": "badge"}, "svg"),
        ({"name": "x", "type": "badge", "svg": 12}, "svg"),
    ],
)
async def test_create_validates_fields(
    api: CertifierClient, body: dict[str, object], param: str
) -> None:
    response = await api.request("POST", "/v1/designs", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


async def test_a_design_in_use_cannot_be_deleted_or_change_type(api: CertifierClient) -> None:
    design = await api.create_design("badge")
    await api.create_group(name="Uses it", designIds=[design])
    deleted = await api.request("DELETE", f"/v1/designs/{design}")
    assert deleted.status_code == 409
    assert deleted.json()["error"]["code"] == "conflict"
    retyped = await api.request(
        "PATCH", f"/v1/designs/{design}", json={"type": "certificate", "svg": CERTIFICATE_SVG}
    )
    assert retyped.status_code == 409
    assert (await api.request("GET", f"/v1/designs/{design}")).json()["type"] == "badge"


async def test_update_revalidates_the_svg(api: CertifierClient) -> None:
    design = await api.create_design("certificate")
    response = await api.request("PATCH", f"/v1/designs/{design}", json={"svg": BADGE_SVG})
    assert response.status_code == 400
    nulled = await api.request("PATCH", f"/v1/designs/{design}", json={"name": None})
    assert nulled.status_code == 400
    assert nulled.json()["error"]["param"] == "name"


async def test_designs_are_private_to_their_organization(
    api: CertifierClient, other_api: CertifierClient
) -> None:
    design = await api.create_design()
    assert (await other_api.request("GET", f"/v1/designs/{design}")).status_code == 404
    assert (
        await other_api.request("PATCH", f"/v1/designs/{design}", json={"name": "x"})
    ).status_code == 404
    assert (await other_api.request("DELETE", f"/v1/designs/{design}")).status_code == 404
    assert (await other_api.request("GET", "/v1/designs")).json()["data"] == []
