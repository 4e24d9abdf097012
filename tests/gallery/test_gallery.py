"""The design gallery through the API: list, get, preview, and copy into an organization."""

import pymupdf

from laurel.gallery.starters import STARTERS, find_starter
from tests.conftest import CertifierClient

CLASSIC = "classic-landscape-a4"
PUBLIC_URL = "http://127.0.0.1:8000"  # the default LAUREL_PUBLIC_URL the tests run with


async def test_the_gallery_lists_every_starter_in_one_page(api: CertifierClient) -> None:
    response = await api.request("GET", "/v1/design-gallery")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["pagination"] == {"prev": None, "next": None}
    assert [entry["id"] for entry in body["data"]] == [starter.id for starter in STARTERS]
    first = body["data"][0]
    assert list(first) == ["id", "name", "type", "size", "description", "svg", "previewUrl"]
    assert first["previewUrl"] == f"{PUBLIC_URL}/v1/design-gallery/{CLASSIC}/preview.png"
    assert {entry["type"] for entry in body["data"]} == {"certificate", "badge"}
    # The gallery is not the organization's: its own designs stay empty until it copies one.
    assert (await api.request("GET", "/v1/designs")).json()["data"] == []


async def test_a_starter_by_its_id(api: CertifierClient) -> None:
    response = await api.request("GET", f"/v1/design-gallery/{CLASSIC}")
    assert response.status_code == 200
    starter = find_starter(CLASSIC)
    assert starter is not None
    assert response.json()["svg"] == starter.svg
    assert response.json()["name"] == "Classic"
    for path in ("/v1/design-gallery/nope", "/v1/design-gallery/nope/preview.png"):
        missing = await api.request("GET", path)
        assert missing.status_code == 404
        assert missing.json() == {
            "error": {"code": "not_found", "message": "The requested resource does not exist"}
        }


async def test_previews_are_drawn_with_sample_values(api: CertifierClient) -> None:
    png = await api.request("GET", f"/v1/design-gallery/{CLASSIC}/preview.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert pymupdf.Pixmap(png.content).width == 1684  # A4 landscape, 842 pt at 144 dpi
    pdf = await api.request("GET", f"/v1/design-gallery/{CLASSIC}/preview.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "Ada Lovelace" in pymupdf.open("pdf", pdf.content)[0].get_text()
    badge = await api.request("GET", "/v1/design-gallery/medal-round-badge/preview.png")
    assert pymupdf.Pixmap(badge.content).width == 800


async def test_a_copy_is_the_organizations_own_design(
    api: CertifierClient, other_api: CertifierClient
) -> None:
    copied = await api.request(
        "POST", f"/v1/design-gallery/{CLASSIC}/copy", json={"name": "Our certificate"}
    )
    assert copied.status_code == 200, copied.text
    design = copied.json()
    assert list(design) == ["id", "name", "type", "svg", "previewUrl", "createdAt", "updatedAt"]
    starter = find_starter(CLASSIC)
    assert starter is not None
    assert (design["name"], design["type"], design["svg"]) == (
        "Our certificate",
        "certificate",
        starter.svg,
    )

    unnamed = await api.request("POST", "/v1/design-gallery/medal-round-badge/copy")
    assert unnamed.status_code == 200, unnamed.text
    assert (unnamed.json()["name"], unnamed.json()["type"]) == ("Medal", "badge")

    listing = (await api.request("GET", "/v1/designs")).json()["data"]
    assert [d["id"] for d in listing] == [unnamed.json()["id"], design["id"]]
    assert (await other_api.request("GET", "/v1/designs")).json()["data"] == []
    other = await other_api.request("GET", f"/v1/designs/{design['id']}")
    assert other.status_code == 404

    edited = await api.request(
        "PATCH", f"/v1/designs/{design['id']}", json={"svg": starter.svg.replace("#1f2d4d", "#000")}
    )
    assert edited.status_code == 200, edited.text
    assert find_starter(CLASSIC) == starter and starter.svg != edited.json()["svg"]


async def test_a_copied_starter_draws_a_real_certificate(api: CertifierClient) -> None:
    certificate = (await api.request("POST", f"/v1/design-gallery/{CLASSIC}/copy")).json()
    group = await api.create_group(name="Financial Markets", designIds=[certificate["id"]])
    issued = await api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={
            "groupId": group["id"],
            "recipient": {"name": "Grace Hopper", "email": "grace@example.org"},
        },
    )
    assert issued.status_code == 200, issued.text
    pdf = await api.request("GET", f"/v1/credentials/{issued.json()['id']}/pdf")
    text = pymupdf.open("pdf", pdf.content)[0].get_text()
    assert "Grace Hopper" in text and "Financial Markets" in text and "CERTIFICATE" in text


async def test_copying_an_unknown_starter_or_with_a_bad_name_fails(api: CertifierClient) -> None:
    missing = await api.request("POST", "/v1/design-gallery/nope/copy", json={})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    unnamed = await api.request("POST", f"/v1/design-gallery/{CLASSIC}/copy", json={"name": " "})
    assert unnamed.status_code == 400
    assert unnamed.json()["error"]["param"] == "name"
    not_json = await api.request(
        "POST",
        f"/v1/design-gallery/{CLASSIC}/copy",
        content=b"{",
        headers={"Content-Type": "application/json"},
    )
    assert not_json.status_code == 400 and not_json.json()["error"]["code"] == "invalid_json"
    assert (await api.request("GET", "/v1/designs")).json()["data"] == []
