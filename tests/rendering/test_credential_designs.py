"""`GET /v1/credentials/{id}/designs` and the signed, immutable preview URLs it hands out."""

from typing import Any
from urllib.parse import urlsplit

import httpx
import pymupdf
import pytest
from sqlalchemy import func, select, update

from laurel.config import Settings
from laurel.db import Database
from laurel.models import Credential, CredentialState, RenderedFile
from tests.conftest import CertifierClient

IMMUTABLE = "public, max-age=31536000, immutable"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _certificate(line: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
        '<text x="400" y="200" font-size="40" text-anchor="middle">[recipient.name]</text>'
        f'<text x="400" y="300" font-size="24" text-anchor="middle">{line}</text></svg>'
    )


async def _design(api: CertifierClient, name: str, line: str = "[group.name]") -> str:
    response = await api.request(
        "POST",
        "/v1/designs",
        json={"name": name, "type": "certificate", "svg": _certificate(line)},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def _template(api: CertifierClient) -> tuple[str, list[str]]:
    """A template whose design order is not the order the designs were made in."""
    first, second = await _design(api, "Classic"), await _design(api, "Modern")
    badge = await api.create_design("badge", name="Round badge")
    order = [second, badge, first]
    group = await api.create_group(name="Financial Markets", designIds=order)
    return str(group["id"]), order


async def _credential(
    api: CertifierClient, group_id: str, path: str = "/create-issue-send"
) -> dict[str, str]:
    response = await api.request(
        "POST",
        f"/v1/credentials{path}",
        json={"groupId": group_id, "recipient": {"name": "Ada Lovelace", "email": "a@example.org"}},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _designs(api: CertifierClient, credential_id: str) -> list[dict[str, Any]]:
    response = await api.request("GET", f"/v1/credentials/{credential_id}/designs")
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list)
    return body


def _urls(designs: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """(design id, format) -> preview URL."""
    return {
        (str(design["id"]), preview["format"]): preview["url"]
        for design in designs
        for preview in design["previews"]
    }


def _path(url: str) -> str:
    return urlsplit(url).path


def _text(pdf: bytes) -> list[str]:
    text: str = pymupdf.open("pdf", pdf)[0].get_text()
    return text.splitlines()


async def _renders(database: Database) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(RenderedFile)) or 0)


async def test_the_designs_in_template_order_with_a_png_and_a_pdf_preview(
    api: CertifierClient, settings: Settings
) -> None:
    group_id, order = await _template(api)
    credential = await _credential(api, group_id)
    designs = await _designs(api, credential["id"])
    assert [design["id"] for design in designs] == order
    assert [design["name"] for design in designs] == ["Modern", "Round badge", "Classic"]
    prefix = f"{settings.public_url}/credentials/{credential['publicId']}/previews/"
    for design in designs:
        assert set(design) == {"id", "name", "previews"}
        previews = design["previews"]
        assert isinstance(previews, list)
        assert [preview["format"] for preview in previews] == ["png", "pdf"]
        for preview in previews:
            assert set(preview) == {"format", "url"}
            assert preview["url"].startswith(f"{prefix}{design['id']}/")
            assert preview["url"].endswith(f".{preview['format']}")


async def test_previews_are_served_without_a_token_and_cacheable_for_ever(
    api: CertifierClient, client: httpx.AsyncClient
) -> None:
    group_id, order = await _template(api)
    credential = await _credential(api, group_id)
    urls = _urls(await _designs(api, credential["id"]))
    assert "authorization" not in client.headers
    for (design_id, image_format), url in urls.items():
        response = await client.get(_path(url))
        assert response.status_code == 200, (design_id, image_format, response.text)
        assert response.headers["cache-control"] == IMMUTABLE
        assert response.headers["etag"].strip('"') in url
        if image_format == "png":
            assert response.headers["content-type"] == "image/png"
            assert response.content.startswith(PNG_SIGNATURE)
        else:
            assert response.headers["content-type"] == "application/pdf"
            assert response.content.startswith(b"%PDF")
    # Each URL draws its own design, with the credential's values.
    modern, badge, classic = order
    modern_pdf = await client.get(_path(urls[modern, "pdf"]))
    assert _text(modern_pdf.content) == ["Ada Lovelace", "Financial Markets"]
    badge_png = await client.get(_path(urls[badge, "png"]))
    assert pymupdf.Pixmap(badge_png.content).width == 400  # the 200-unit badge at 144 dpi
    classic_png = await client.get(_path(urls[classic, "png"]))
    assert pymupdf.Pixmap(classic_png.content).width == 1600


async def test_previews_come_from_the_render_cache(
    api: CertifierClient, database: Database
) -> None:
    group_id, order = await _template(api)
    credential = await _credential(api, group_id)
    urls = _urls(await _designs(api, credential["id"]))
    by_api = await api.request(
        "GET", f"/v1/credentials/{credential['id']}/pdf", params={"designId": order[0]}
    )
    assert by_api.status_code == 200 and await _renders(database) == 1
    preview = await api.http.get(_path(urls[order[0], "pdf"]))
    assert preview.content == by_api.content and await _renders(database) == 1


def _tampered(path: str, index: int) -> str:
    """The path with one character of its `index`-th segment from the end changed."""
    parts = path.split("/")
    segment = parts[index]
    parts[index] = ("A" if segment[0] != "A" else "B") + segment[1:]
    return "/".join(parts)


async def test_a_tampered_url_is_not_found(api: CertifierClient, client: httpx.AsyncClient) -> None:
    group_id, order = await _template(api)
    credential = await _credential(api, group_id)
    urls = _urls(await _designs(api, credential["id"]))
    path = _path(urls[order[0], "png"])
    assert (await client.get(path)).status_code == 200
    other = await _credential(api, group_id)
    forged = [
        _tampered(path, -1),  # the signature
        _tampered(path, -2),  # the digest
        path.replace(order[0], order[2]),  # another design of the template
        path.replace(credential["publicId"], other["publicId"]),  # another credential
        path.removesuffix(".png") + ".pdf",  # another format
        path.removesuffix(".png") + ".svg",
        path.rsplit("/", 1)[0] + "/%C3%A9.png",  # a signature that is not even ASCII
    ]
    for forgery in forged:
        response = await client.get(forgery)
        assert response.status_code == 404, forgery
        assert response.json()["error"]["code"] == "not_found"


async def test_a_changed_credential_or_design_gets_new_urls_and_the_old_ones_stop(
    api: CertifierClient, client: httpx.AsyncClient
) -> None:
    group_id, order = await _template(api)
    credential = await _credential(api, group_id)
    before = _urls(await _designs(api, credential["id"]))
    renamed = await api.request(
        "PATCH", f"/v1/credentials/{credential['id']}", json={"recipient": {"name": "Grace Hopper"}}
    )
    assert renamed.status_code == 200, renamed.text
    after = _urls(await _designs(api, credential["id"]))
    assert set(after) == set(before)
    for key, url in before.items():
        assert after[key] != url
        assert (await client.get(_path(url))).status_code == 404
    pdf = await client.get(_path(after[order[0], "pdf"]))
    assert pdf.status_code == 200 and _text(pdf.content)[0] == "Grace Hopper"

    changed = await api.request(
        "PATCH", f"/v1/designs/{order[0]}", json={"svg": _certificate("Awarded by Acme")}
    )
    assert changed.status_code == 200, changed.text
    redrawn = _urls(await _designs(api, credential["id"]))
    assert redrawn[order[0], "pdf"] != after[order[0], "pdf"]
    assert (await client.get(_path(after[order[0], "pdf"]))).status_code == 404
    pdf = await client.get(_path(redrawn[order[0], "pdf"]))
    assert _text(pdf.content) == ["Grace Hopper", "Awarded by Acme"]
    # The other designs did not change, nor did their URLs.
    assert redrawn[order[2], "pdf"] == after[order[2], "pdf"]
    # A new name draws nothing new: the URLs stay.
    await api.request("PATCH", f"/v1/designs/{order[2]}", json={"name": "Classic, renamed"})
    designs = await _designs(api, credential["id"])
    assert designs[2]["name"] == "Classic, renamed" and _urls(designs) == redrawn


async def test_a_deleted_credentials_previews_are_gone(
    api: CertifierClient, client: httpx.AsyncClient
) -> None:
    group_id, _ = await _template(api)
    credential = await _credential(api, group_id)
    urls = _urls(await _designs(api, credential["id"]))
    deleted = await api.request("DELETE", f"/v1/credentials/{credential['id']}")
    assert deleted.status_code == 204
    for url in urls.values():
        assert (await client.get(_path(url))).status_code == 404
    listing = await api.request("GET", f"/v1/credentials/{credential['id']}/designs")
    assert listing.status_code == 404


async def test_a_revoked_credentials_previews_stay_viewable(
    api: CertifierClient, client: httpx.AsyncClient
) -> None:
    group_id, _ = await _template(api)
    credential = await _credential(api, group_id)
    urls = _urls(await _designs(api, credential["id"]))
    revoked = await api.request(
        "POST", f"/v1/credentials/{credential['id']}/revoke", json={"reason": "Issued in error"}
    )
    assert revoked.status_code == 200, revoked.text
    assert _urls(await _designs(api, credential["id"])) == urls
    for url in urls.values():
        assert (await client.get(_path(url))).status_code == 200


async def test_a_drafts_previews_need_the_token_until_it_is_issued(
    api: CertifierClient, client: httpx.AsyncClient, settings: Settings
) -> None:
    group_id, order = await _template(api)
    draft = await _credential(api, group_id, path="")
    designs = await _designs(api, draft["id"])
    assert [design["id"] for design in designs] == order
    urls = _urls(designs)
    for (design_id, image_format), url in urls.items():
        assert url == (
            f"{settings.public_url}/v1/credentials/{draft['id']}/{image_format}"
            f"?designId={design_id}"
        )
        path_and_query = url.removeprefix(settings.public_url)
        assert (await client.get(path_and_query)).status_code == 401
        response = await api.request("GET", path_and_query)
        assert response.status_code == 200
        assert response.headers["content-type"] == f"image/{image_format}".replace(
            "image/pdf", "application/pdf"
        )
    issued = await api.request("POST", f"/v1/credentials/{draft['id']}/issue")
    assert issued.status_code == 200, issued.text
    public = _urls(await _designs(api, draft["id"]))
    assert all("/previews/" in url for url in public.values())
    assert (await client.get(_path(public[order[0], "png"]))).status_code == 200


async def test_a_signed_url_stops_when_its_credential_is_a_draft(
    api: CertifierClient, client: httpx.AsyncClient, database: Database
) -> None:
    """The route serves issued credentials only, whatever URL it is given."""
    group_id, order = await _template(api)
    credential = await _credential(api, group_id)
    path = _path(_urls(await _designs(api, credential["id"]))[order[0], "png"])
    assert (await client.get(path)).status_code == 200
    # No API call turns an issued credential back into a draft: the database does, here.
    async with database.sessions() as session, session.begin():
        await session.execute(
            update(Credential)
            .where(Credential.id == credential["id"])
            .values(state=CredentialState.draft)
        )
    assert (await client.get(path)).status_code == 404


@pytest.mark.parametrize("unknown", ["01hz2ej4yzdcfkq9fa78nhyj0x", "not-an-id"])
async def test_another_organizations_or_an_unknown_credential_is_not_found(
    api: CertifierClient, other_api: CertifierClient, unknown: str
) -> None:
    group_id, _ = await _template(api)
    credential = await _credential(api, group_id)
    for caller, credential_id in ((other_api, credential["id"]), (api, unknown)):
        response = await caller.request("GET", f"/v1/credentials/{credential_id}/designs")
        assert response.status_code == 404
        assert response.json() == {
            "error": {"code": "not_found", "message": "The requested resource does not exist"}
        }


async def test_the_designs_route_has_the_api_guard(
    api: CertifierClient, client: httpx.AsyncClient
) -> None:
    group_id, _ = await _template(api)
    path = f"/v1/credentials/{(await _credential(api, group_id))['id']}/designs"
    assert (await client.get(path)).status_code == 401
    no_version = await client.get(path, headers={"Authorization": f"Bearer {api.tenant.token}"})
    assert no_version.status_code == 400
    assert no_version.json()["error"]["code"] == "missing_version"
