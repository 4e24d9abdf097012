"""Rendered credentials through the API and by public link, and the render cache."""

import httpx
import pymupdf
from sqlalchemy import func, select

from laurel.db import Database
from laurel.models import CredentialInteraction, RenderedFile
from tests.conftest import CertifierClient

CERTIFICATE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
    '<text x="400" y="200" font-size="40" text-anchor="middle">[recipient.name]</text>'
    '<text x="400" y="300" font-size="24" text-anchor="middle">[group.name] [custom.mentor]</text>'
    '<rect data-qr="1" x="650" y="450" width="100" height="100"/></svg>'
)


async def _template(api: CertifierClient) -> str:
    certificate = await api.request(
        "POST", "/v1/designs", json={"name": "C", "type": "certificate", "svg": CERTIFICATE}
    )
    badge = await api.create_design("badge")
    group = await api.create_group(
        name="Financial Markets", designIds=[badge, certificate.json()["id"]]
    )
    return str(group["id"])


async def _issued(
    api: CertifierClient, group_id: str, name: str = "Ada Lovelace"
) -> dict[str, str]:
    response = await api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={"groupId": group_id, "recipient": {"name": name, "email": "ada@example.org"}},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _text(pdf: bytes) -> list[str]:
    text: str = pymupdf.open("pdf", pdf)[0].get_text()
    return text.splitlines()


async def _renders(database: Database) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(RenderedFile)) or 0)


async def test_a_credential_as_pdf_and_png(api: CertifierClient, database: Database) -> None:
    credential = await _issued(api, await _template(api))
    pdf = await api.request("GET", f"/v1/credentials/{credential['id']}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    # The certificate design comes first for PDF, though the template lists the badge first.
    assert _text(pdf.content)[:2] == ["Ada Lovelace", "Financial Markets [custom.mentor]"]
    png = await api.request("GET", f"/v1/credentials/{credential['id']}/png")
    assert png.headers["content-type"] == "image/png"
    assert pymupdf.Pixmap(png.content).width == 1600  # 800 pt at 144 dpi


async def test_renders_are_cached_until_the_credential_changes(
    api: CertifierClient, database: Database
) -> None:
    credential = await _issued(api, await _template(api))
    path = f"/v1/credentials/{credential['id']}/pdf"
    first = await api.request("GET", path)
    again = await api.request("GET", path)
    assert first.content == again.content and await _renders(database) == 1
    changed = await api.request(
        "PATCH", f"/v1/credentials/{credential['id']}", json={"recipient": {"name": "Grace Hopper"}}
    )
    assert changed.status_code == 200, changed.text
    renamed = await api.request("GET", path)
    assert _text(renamed.content)[0] == "Grace Hopper" and await _renders(database) == 2


async def test_another_organizations_credential_is_not_found(
    api: CertifierClient, other_api: CertifierClient
) -> None:
    credential = await _issued(api, await _template(api))
    response = await other_api.request("GET", f"/v1/credentials/{credential['id']}/pdf")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    response = await api.request("GET", "/v1/credentials/01hz2ej4yzdcfkq9fa78nhyj0x/png")
    assert response.status_code == 404


async def test_design_previews_use_sample_values(api: CertifierClient) -> None:
    await api.request(
        "POST",
        "/v1/attributes",
        json={"tag": "custom.mentor", "name": "Mentor", "defaultValue": "Jane Doe"},
    )
    design = (
        await api.request(
            "POST", "/v1/designs", json={"name": "C", "type": "certificate", "svg": CERTIFICATE}
        )
    ).json()["id"]
    pdf = await api.request("GET", f"/v1/designs/{design}/preview", params={"format": "pdf"})
    assert _text(pdf.content)[:2] == ["Ada Lovelace", "Sample credential Jane Doe"]
    svg = await api.request("GET", f"/v1/designs/{design}/preview", params={"format": "svg"})
    assert svg.headers["content-type"] == "image/svg+xml" and b"Ada Lovelace" in svg.content
    wrong = await api.request("GET", f"/v1/designs/{design}/preview", params={"format": "gif"})
    assert wrong.status_code == 400 and wrong.json()["error"]["param"] == "format"


async def test_public_renders_by_link_count_downloads(
    api: CertifierClient, client: httpx.AsyncClient, database: Database
) -> None:
    group_id = await _template(api)
    credential = await _issued(api, group_id)
    public = f"/credentials/{credential['publicId']}"
    image = await client.get(f"{public}/image.png")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert "content-disposition" not in image.headers
    download = await client.get(f"{public}/certificate.pdf", params={"download": "true"})
    assert download.headers["content-disposition"].startswith("attachment;")
    async with database.sessions() as session:
        events = (await session.scalars(select(CredentialInteraction.event_type))).all()
    assert events == ["credential_downloaded"]
    draft = await api.request(
        "POST",
        "/v1/credentials",
        json={"groupId": group_id, "recipient": {"name": "D", "email": "d@example.org"}},
    )
    assert (
        await client.get(f"/credentials/{draft.json()['publicId']}/image.png")
    ).status_code == 404


async def test_a_badge_only_template_renders_its_badge(api: CertifierClient) -> None:
    group = await api.create_group(name="Badge only", designIds=[await api.create_design("badge")])
    credential = await _issued(api, str(group["id"]))
    png = await api.request("GET", f"/v1/credentials/{credential['id']}/png")
    assert pymupdf.Pixmap(png.content).width == 400  # the 200-unit badge at 144 dpi
