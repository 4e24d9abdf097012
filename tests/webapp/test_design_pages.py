"""Designs in the web app: the gallery's thumbnails, copying a starter, uploading an SVG."""

import base64
import re
import struct
import zlib

import httpx
from sqlalchemy import select

from laurel.db import Database
from laurel.gallery.starters import STARTERS
from laurel.models import AuditEvent, Design, Role
from tests.conftest import CERTIFICATE_SVG, CertifierClient, Tenant
from tests.webapp.conftest import Browser, BrowserFactory

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_bytes(width: int, height: int) -> bytes:
    """A small, valid, white PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff" * 3 * width for _ in range(height))
    return (
        PNG_SIGNATURE
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def upload(
    browser: Browser, svg: str | bytes, *, name: str = "Uploaded", kind: str = "certificate"
) -> httpx.Response:
    """Post the upload form as a browser does: multipart, the file beside the text fields."""
    return await browser.http.post(
        "/app/designs",
        data={"csrf_token": browser.csrf, "name": name, "type": kind},
        files={"svg": ("design.svg", svg, "image/svg+xml")},
    )


async def designs_of(database: Database, organization_id: str) -> list[Design]:
    async with database.sessions() as session:
        statement = select(Design).where(Design.organization_id == organization_id)
        return list((await session.scalars(statement)).all())


async def test_gallery_shows_every_starter_and_the_organizations_designs(
    signed_in_manager: Browser, api: CertifierClient
) -> None:
    design_id = await api.create_design("certificate", "Our diploma")

    page = await signed_in_manager.get("/app/designs")

    assert page.status_code == 200
    assert "Our diploma" in page.text
    assert f'src="/app/designs/{design_id}/preview.png"' in page.text
    for starter in STARTERS:
        assert f'src="/app/designs/starters/{starter.id}/preview.png"' in page.text


async def test_thumbnails_are_pngs_revalidated_by_etag(
    signed_in_manager: Browser, api: CertifierClient
) -> None:
    design_id = await api.create_design("certificate")
    for path in (
        f"/app/designs/{design_id}/preview.png",
        f"/app/designs/starters/{STARTERS[0].id}/preview.png",
    ):
        first = await signed_in_manager.get(path)
        assert first.status_code == 200, first.text
        assert first.headers["content-type"] == "image/png"
        assert first.content.startswith(PNG_SIGNATURE)
        etag = first.headers["etag"]
        again = await signed_in_manager.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""


async def test_copying_a_starter_adds_it_to_the_designs_and_the_audit_log(
    signed_in_manager: Browser, database: Database, tenant: Tenant
) -> None:
    starter = STARTERS[0]
    await signed_in_manager.get("/app/designs")

    copied = await signed_in_manager.post(f"/app/designs/starters/{starter.id}/copy")

    assert copied.status_code == 303
    designs = await designs_of(database, tenant.organization_id)
    assert [(design.name, design.svg) for design in designs] == [(starter.name, starter.svg)]
    async with database.sessions() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert "design.copied" in actions
    assert starter.name in (await signed_in_manager.get("/app/designs")).text


async def test_an_unknown_starter_is_a_404(signed_in_manager: Browser) -> None:
    await signed_in_manager.get("/app/designs")
    assert (await signed_in_manager.post("/app/designs/starters/nope/copy")).status_code == 404
    preview = await signed_in_manager.get("/app/designs/starters/nope/preview.png")
    assert preview.status_code == 404


async def test_an_uploaded_svg_becomes_a_design(
    signed_in_manager: Browser, database: Database, tenant: Tenant
) -> None:
    await signed_in_manager.get("/app/designs")

    response = await upload(signed_in_manager, CERTIFICATE_SVG, name="Diploma 2026")

    assert response.status_code == 303
    designs = await designs_of(database, tenant.organization_id)
    assert [(design.name, design.svg) for design in designs] == [("Diploma 2026", CERTIFICATE_SVG)]


async def test_the_designs_service_refusal_is_shown_next_to_the_file_field(
    signed_in_manager: Browser, database: Database, tenant: Tenant
) -> None:
    await signed_in_manager.get("/app/designs")
    scripted = (
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
        "<text>[recipient.name]</text></svg>"
    )

    response = await upload(signed_in_manager, scripted, name="Sneaky")

    assert response.status_code == 400
    assert 'id="svg-problem"' in response.text
    assert 'aria-describedby="svg-problem"' in response.text
    assert "script" in response.text.split('id="svg-problem">')[1].split("</p>")[0]
    assert 'value="Sneaky"' in response.text  # what was typed is kept
    assert await designs_of(database, tenant.organization_id) == []


async def test_a_certificate_without_the_recipient_name_is_refused_by_the_service(
    signed_in_manager: Browser,
) -> None:
    await signed_in_manager.get("/app/designs")
    nameless = '<svg xmlns="http://www.w3.org/2000/svg"><text>Hello</text></svg>'
    response = await upload(signed_in_manager, nameless)
    assert response.status_code == 400
    assert "recipient.name" in response.text.split('id="svg-problem">')[1]


async def test_bad_fields_are_named(signed_in_manager: Browser) -> None:
    await signed_in_manager.get("/app/designs")

    no_name = await upload(signed_in_manager, CERTIFICATE_SVG, name="  ")
    assert no_name.status_code == 400
    assert 'id="name-problem"' in no_name.text

    bad_type = await upload(signed_in_manager, CERTIFICATE_SVG, kind="poster")
    assert bad_type.status_code == 400
    assert 'id="type-problem"' in bad_type.text

    not_text = await upload(signed_in_manager, b"\xff\xfe\x00binary")
    assert not_text.status_code == 400
    assert "not UTF-8" in not_text.text

    too_large = await upload(signed_in_manager, "<svg>" + " " * (512 * 1024) + "</svg>")
    assert too_large.status_code == 400
    assert "larger than 512 KiB" in too_large.text

    no_file = await signed_in_manager.http.post(
        "/app/designs",
        data={"csrf_token": signed_in_manager.csrf, "name": "x", "type": "certificate"},
        files={"svg": ("", b"", "application/octet-stream")},
    )
    assert no_file.status_code == 400
    assert "Choose an SVG file" in no_file.text


async def test_another_organizations_design_is_a_404(
    signed_in_manager: Browser, client: httpx.AsyncClient, other_tenant: Tenant
) -> None:
    theirs = await CertifierClient(client, other_tenant).create_design("certificate")
    response = await signed_in_manager.get(f"/app/designs/{theirs}/preview.png")
    assert response.status_code == 404
    assert theirs not in (await signed_in_manager.get("/app/designs")).text


async def test_a_member_may_not_see_or_change_designs(
    make_staff: BrowserFactory, tenant: Tenant, api: CertifierClient, database: Database
) -> None:
    design_id = await api.create_design("certificate")
    member = await make_staff(tenant.organization_id, Role.member)
    assert (await member.sign_in()).status_code == 303

    assert (await member.get("/app/designs")).status_code == 403
    assert (await member.get(f"/app/designs/{design_id}/preview.png")).status_code == 403
    assert (await member.post(f"/app/designs/starters/{STARTERS[0].id}/copy")).status_code == 403
    assert (await upload(member, CERTIFICATE_SVG)).status_code == 403
    assert len(await designs_of(database, tenant.organization_id)) == 1
    assert 'href="/app/designs"' not in (await member.get("/app")).text


async def test_forms_without_the_csrf_token_are_refused(
    signed_in_manager: Browser, database: Database, tenant: Tenant
) -> None:
    await signed_in_manager.get("/app/designs")
    copy = await signed_in_manager.http.post(f"/app/designs/starters/{STARTERS[0].id}/copy")
    assert copy.status_code == 403
    uploaded = await signed_in_manager.http.post(
        "/app/designs",
        data={"name": "x", "type": "certificate"},
        files={"svg": ("design.svg", CERTIFICATE_SVG, "image/svg+xml")},
    )
    assert uploaded.status_code == 403
    assert await designs_of(database, tenant.organization_id) == []


async def test_signed_out_browsers_are_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/app/designs")
    assert response.status_code == 303
    assert response.headers["location"] == "/app/sign-in?next=%2Fapp%2Fdesigns"


def designer_form(browser: Browser, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": browser.csrf,
        "layout": "classic",
        "title": "Certificate of Achievement",
        "subtitle": "Presented to",
        "primary": "#1f4e79",
        "accent": "#c8962d",
        "font": "serif",
        "headline": "recipient.name",
        "detail": "group.name",
        "footer_left": "credential.issueDate",
        "footer_right": "",
        **changes,
    }


async def test_the_designer_previews_sample_long_and_right_to_left_names(
    signed_in_manager: Browser,
) -> None:
    page = await signed_in_manager.get("/app/designs/designer")
    assert page.status_code == 200
    assert page.text.count('src="data:image/png;base64,') == 3

    preview = await signed_in_manager.http.post(
        "/app/designs/designer",
        data=designer_form(signed_in_manager, layout="badge", action="preview"),
    )

    assert preview.status_code == 200, preview.text
    for caption in ("Sample values", "A long name", "A right-to-left name"):
        assert f"<figcaption>{caption}</figcaption>" in preview.text
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', preview.text)
    assert len(set(images)) == 3  # three different drawings, each a PNG
    assert all(base64.b64decode(image).startswith(PNG_SIGNATURE) for image in images)


async def test_the_designer_saves_an_escaped_svg_with_the_logo_embedded(
    signed_in_manager: Browser, database: Database, tenant: Tenant
) -> None:
    await signed_in_manager.get("/app/designs/designer")
    logo = png_bytes(4, 3)

    saved = await signed_in_manager.http.post(
        "/app/designs/designer",
        data=designer_form(
            signed_in_manager,
            title='Best <script>alert("x")</script> & co',
            primary="#abc",
            name="Built",
            action="save",
        ),
        files={"logo": ("logo.png", logo, "image/png")},
    )

    assert saved.status_code == 303, saved.text
    [design] = await designs_of(database, tenant.organization_id)
    assert (design.name, design.type) == ("Built", "certificate")
    assert "<script" not in design.svg
    assert 'Best &lt;script&gt;alert("x")&lt;/script&gt; &amp; co' in design.svg
    assert 'stroke="#aabbcc"' in design.svg
    assert f'href="data:image/png;base64,{base64.b64encode(logo).decode()}"' in design.svg
    assert "[recipient.name]" in design.svg
    async with database.sessions() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert "design.built" in actions


async def test_the_designer_names_the_field_it_refuses(
    signed_in_manager: Browser, database: Database, tenant: Tenant
) -> None:
    await signed_in_manager.get("/app/designs/designer")
    cases = [
        ({"primary": "red; fill:url(http://x)"}, {}, "primary"),
        ({"layout": "poster"}, {}, "layout"),
        ({"font": "Comic Sans"}, {}, "font"),
        ({"headline": "recipient.email"}, {}, "headline"),
        ({"title": "x" * 81}, {}, "title"),
        ({"logo_data": 'data:image/png;base64,AAAA"/><script>'}, {}, "logo"),
        ({}, {"logo": ("logo.svg", b"<svg/>", "image/svg+xml")}, "logo"),
        ({"headline": "group.name", "detail": ""}, {}, "svg"),  # no recipient name
        ({"name": "", "action": "save"}, {}, "name"),
    ]
    for changes, files, field in cases:
        response = await signed_in_manager.http.post(
            "/app/designs/designer",
            data=designer_form(signed_in_manager, **changes),
            files=files or None,
        )
        assert response.status_code == 400, (changes, response.text)
        assert f'id="{field}-problem"' in response.text, changes
    assert await designs_of(database, tenant.organization_id) == []


async def test_a_member_may_not_use_the_designer(
    make_staff: BrowserFactory, tenant: Tenant
) -> None:
    member = await make_staff(tenant.organization_id, Role.member)
    assert (await member.sign_in()).status_code == 303
    assert (await member.get("/app/designs/designer")).status_code == 403
    refused = await member.http.post(
        "/app/designs/designer", data=designer_form(member, name="x", action="save")
    )
    assert refused.status_code == 403


async def test_the_designer_refuses_a_form_without_the_csrf_token(
    signed_in_manager: Browser,
) -> None:
    form = designer_form(signed_in_manager, name="x", action="save")
    del form["csrf_token"]
    response = await signed_in_manager.http.post("/app/designs/designer", data=form)
    assert response.status_code == 403
