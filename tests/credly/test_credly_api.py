"""The Credly calls Open edX makes, each with the fields it reads (docs/openedx.md)."""

import asyncio
import base64
import uuid
from datetime import date

import httpx
import pymupdf
from sqlalchemy import delete

from laurel.config import Settings
from laurel.db import Database
from laurel.kit.ids import id_of_uuid, uuid_of
from laurel.models import Group
from tests.conftest import CertifierClient, Tenant, TenantFactory
from tests.credly.conftest import OpenEdx, bare_key_header, data
from tests.delivery.conftest import deliver_due, email_parts
from tests.fixtures.mail import SmtpServer

INVALID_TOKEN = "You specified an invalid authorization token."


def test_the_bare_key_header_is_open_edx_s() -> None:
    assert bare_key_header("test_api_key") == "Basic dGVzdF9hcGlfa2V5"


async def test_organization_answers_its_name_with_either_basic_form(
    openedx: OpenEdx, tenant: Tenant
) -> None:
    organization = data(await openedx.perform("GET", ""))
    assert organization["name"] == "Acme Academy"
    assert organization["id"] == uuid_of(tenant.organization_id)

    openedx.authorization = "Basic " + base64.b64encode(f"{tenant.token}:".encode()).decode()
    assert data(await openedx.perform("GET", ""))["name"] == "Acme Academy"


async def test_a_wrong_key_is_credly_s_401(openedx: OpenEdx) -> None:
    for authorization in (
        bare_key_header("not-a-key"),
        "Basic !!!not-base64",
        f"Bearer {openedx.key}",
    ):
        openedx.authorization = authorization
        response = await openedx.perform("GET", "")
        assert response.status_code == 401, authorization
        assert response.json() == {"data": {"message": INVALID_TOKEN}}


async def test_another_organization_s_uuid_or_an_unknown_one_is_refused(
    openedx: OpenEdx, other_tenant: Tenant, template_id: str
) -> None:
    for organization in (uuid_of(other_tenant.organization_id), str(uuid.uuid4()), "x"):
        openedx.organization_uuid = organization
        for method, suffix in (("GET", ""), ("GET", "badge_templates/?filter=state::active")):
            response = await openedx.perform(method, suffix)
            assert response.status_code == 403, response.text
            assert set(response.json()["data"]) == {"message"}
        response = await openedx.issue(template_id)
        assert response.status_code == 403, response.text


async def test_templates_are_listed_as_open_edx_syncs_them(
    openedx: OpenEdx, certifier: CertifierClient, template_id: str, other_api: CertifierClient
) -> None:
    await other_api.create_group(name="Not theirs", designIds=[await other_api.create_design()])
    # Open edX sends the colons unescaped.
    response = await openedx.perform("GET", "badge_templates/?filter=state::active")
    assert str(response.request.url).endswith("badge_templates/?filter=state::active")
    body = response.json()
    assert response.status_code == 200, response.text
    assert [item["id"] for item in body["data"]] == [template_id]
    item = body["data"][0]
    assert item["name"] == "Python 101"
    assert item["state"] == "active"
    assert item["description"] == "Python 101, awarded by Acme Academy."
    assert item["owner"] == {"id": openedx.organization_uuid}
    assert body["metadata"]["total_pages"] == 1
    assert body["metadata"]["next_page_url"] is None

    image = await openedx.http.get(item["image_url"])  # no key: Open edX shows it to anyone
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert pymupdf.Pixmap(image.content).width > 0  # a PNG an image library reads
    # The template's badge design, drawn with sample values as its preview is.
    group = (
        await certifier.request("GET", f"/v1/groups/{id_of_uuid(uuid.UUID(template_id))}")
    ).json()
    preview = await certifier.request("GET", f"/v1/designs/{group['designIds'][0]}/preview")
    assert image.content == preview.content
    unknown = item["image_url"].replace(template_id, str(uuid.uuid4()))
    assert (await openedx.http.get(unknown)).status_code == 404

    archived = await openedx.perform("GET", "badge_templates/?filter=state::archived")
    assert archived.json()["data"] == []


async def test_pages_follow_absolute_next_page_urls(
    openedx: OpenEdx, certifier: CertifierClient
) -> None:
    design = await certifier.create_design("badge")
    names = [f"Course {n}" for n in range(3)]
    for name in names:
        await certifier.create_group(name=name, designIds=[design])
    response = await openedx.perform("GET", "badge_templates/?filter=state::active&per=2")
    seen = []
    while True:
        body = response.json()
        assert response.status_code == 200, response.text
        seen += [item["name"] for item in body["data"]]
        assert body["metadata"]["total_count"] == 3
        assert body["metadata"]["total_pages"] == 2
        assert body["metadata"]["per"] == 2
        next_url = body["metadata"]["next_page_url"]
        if next_url is None:
            break
        assert next_url.startswith("http://laurel.test/credly/v1/organizations/")
        response = await openedx.http.get(
            next_url, headers={"Authorization": bare_key_header(openedx.key)}
        )
    assert sorted(seen) == names
    assert body["metadata"]["previous_page_url"] is not None


async def test_a_badge_is_a_credential_issued_and_emailed(
    openedx: OpenEdx,
    certifier: CertifierClient,
    template_id: str,
    database: Database,
    credly_settings: Settings,
    smtp_server: SmtpServer,
) -> None:
    badge = data(await openedx.issue(template_id), 201)
    assert uuid.UUID(badge["id"])
    assert badge["state"] == "pending"
    assert badge["badge_template"]["id"] == template_id

    credentials = (await certifier.request("GET", "/v1/credentials")).json()["data"]
    assert len(credentials) == 1
    credential = credentials[0]
    assert credential["publicId"] == badge["id"]
    assert credential["groupId"] == id_of_uuid(uuid.UUID(template_id))
    assert credential["recipient"]["name"] == "Ada Lovelace"
    assert credential["recipient"]["email"] == "ada@example.org"
    assert credential["issueDate"] == date(2026, 11, 20).isoformat()
    assert credential["status"] == "issued"

    await deliver_due(database, credly_settings)
    [message] = smtp_server.catcher.messages
    assert message["To"].endswith("ada@example.org>") or message["To"] == "ada@example.org"
    assert badge["id"] in email_parts(message)["text/plain"]


async def test_issued_at_in_iso_8601_and_bad_input_is_a_422_naming_the_field(
    openedx: OpenEdx, template_id: str
) -> None:
    body = {
        "recipient_email": "grace@example.org",
        "issued_to_first_name": "",
        "issued_to_last_name": "",
        "badge_template_id": template_id,
        "issued_at": "2026-11-21T10:00:00Z",
    }
    badge = data(await openedx.perform("POST", "badges/", body), 201)
    assert badge["issued_to"] == "grace"  # Open edX falls back to the username; so does Laurel

    for field, value in (
        ("issued_at", "yesterday"),
        ("recipient_email", "not-an-email"),
        ("badge_template_id", str(uuid.uuid4())),
    ):
        response = await openedx.perform("POST", "badges/", {**body, field: value})
        assert response.status_code == 422, field
        assert field in response.json()["data"]["message"]


async def test_a_second_award_answers_the_first_badge(
    openedx: OpenEdx, certifier: CertifierClient, template_id: str
) -> None:
    first = data(await openedx.issue(template_id), 201)
    again = data(await openedx.issue(template_id, email="ADA@example.org"), 200)
    assert again["id"] == first["id"]
    racing = await asyncio.gather(
        *(openedx.issue(template_id, "bob@example.org") for _ in range(4))
    )
    assert sorted(response.status_code for response in racing) == [200, 200, 200, 201]
    assert len({response.json()["data"]["id"] for response in racing}) == 1
    credentials = (await certifier.request("GET", "/v1/credentials")).json()["data"]
    assert len(credentials) == 2


async def test_a_viewed_badge_is_accepted(
    openedx: OpenEdx, certifier: CertifierClient, template_id: str
) -> None:
    badge = data(await openedx.issue(template_id), 201)
    [credential] = (await certifier.request("GET", "/v1/credentials")).json()["data"]
    response = await certifier.request(
        "POST",
        "/v1/credential-interactions",
        json={"credentialId": credential["id"], "eventType": "credential_viewed"},
    )
    assert response.status_code == 200, response.text
    again = data(await openedx.issue(template_id), 200)
    assert again["id"] == badge["id"]
    assert again["state"] == "accepted"
    assert again["accepted_at"] is not None


async def test_revoke_changes_the_status_list_and_keeps_the_reason(
    openedx: OpenEdx, certifier: CertifierClient, template_id: str
) -> None:
    badge = data(await openedx.issue(template_id), 201)
    reason = "Open edX internal user credential was revoked"
    revoked = data(
        await openedx.perform("PUT", f"badges/{badge['id']}/revoke/", {"reason": reason})
    )
    assert revoked["id"] == badge["id"]
    assert revoked["state"] == "revoked"
    assert revoked["revocation_reason"] == reason

    [credential] = (await certifier.request("GET", "/v1/credentials")).json()["data"]
    signed = (await certifier.request("GET", f"/v1/credentials/{credential['id']}/vc")).json()
    status_url = signed["credentialStatus"]["statusListCredential"]
    index = int(signed["credentialStatus"]["statusListIndex"])
    status_list = await openedx.http.get(status_url)
    assert status_list.status_code == 200
    assert _bit(status_list.json()["credentialSubject"]["encodedList"], index)

    # Again: the same answer, never a 500 or a second revocation.
    again = data(await openedx.perform("PUT", f"badges/{badge['id']}/revoke/", {"reason": "x"}))
    assert again["revocation_reason"] == reason


def _bit(encoded: str, index: int) -> bool:
    import gzip

    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    return bool(raw[index // 8] >> (7 - index % 8) & 1)


async def test_revoking_an_unknown_badge_is_a_json_404(
    openedx: OpenEdx, template_id: str, make_tenant: TenantFactory, credly_http: httpx.AsyncClient
) -> None:
    for badge_id in (str(uuid.uuid4()), "not-a-uuid"):
        response = await openedx.perform("PUT", f"badges/{badge_id}/revoke/", {"reason": "r"})
        assert response.status_code == 404
        assert set(response.json()["data"]) == {"message"}
    # Another organization's badge is unknown here too.
    badge = data(await openedx.issue(template_id), 201)
    stranger = await make_tenant(name="Stranger")
    theirs = OpenEdx(credly_http, uuid_of(stranger.organization_id), stranger.token)
    response = await theirs.perform("PUT", f"badges/{badge['id']}/revoke/", {"reason": "r"})
    assert response.status_code == 404


async def test_a_deleted_template_awards_nothing(
    openedx: OpenEdx, certifier: CertifierClient, template_id: str
) -> None:
    group_id = id_of_uuid(uuid.UUID(template_id))
    response = await certifier.request("DELETE", f"/v1/groups/{group_id}")
    assert response.status_code in (200, 204), response.text
    response = await openedx.issue(template_id)
    assert response.status_code == 422
    assert "badge_template_id" in response.json()["data"]["message"]
    assert (await certifier.request("GET", "/v1/credentials")).json()["data"] == []


async def test_paths_are_exact_and_never_redirect(openedx: OpenEdx) -> None:
    response = await openedx.perform("GET", "badge_templates")  # no trailing slash
    assert response.status_code == 404
    assert "location" not in response.headers
    assert set(response.json()["data"]) == {"message"}


async def test_a_template_deleted_while_a_badge_is_being_issued(
    openedx: OpenEdx,
    certifier: CertifierClient,
    template_id: str,
    database: Database,
    database_url: str,
) -> None:
    group_id = id_of_uuid(uuid.UUID(template_id))
    async with database.sessions() as session, session.begin():
        await session.execute(delete(Group).where(Group.id == group_id))
        # The award starts while the delete holds the template (PostgreSQL: its row lock;
        # SQLite: the write lock) and finishes after it commits, whichever it met first.
        award = asyncio.create_task(openedx.issue(template_id))
        await asyncio.sleep(0.2)
    response = await award
    # SQLite cannot let a transaction that read before another's commit write after it: the
    # award is told to retry (503, Retry-After), never a 500; PostgreSQL waits on the row lock.
    allowed = (409, 422, 503) if database_url.startswith("sqlite") else (409, 422)
    assert response.status_code in allowed, response.text
    assert set(response.json()["data"]) == {"message"}
    assert (await certifier.request("GET", "/v1/credentials")).json()["data"] == []


async def test_rotating_the_key_gives_a_new_one_and_retires_the_old(openedx: OpenEdx) -> None:
    # Open PR openedx/credentials#3000: POST, no trailing slash, reads `data.token`.
    response = await openedx.perform("POST", "authorization_tokens/rotate")
    new_key = data(response)["token"]
    assert new_key != openedx.key
    assert (await openedx.perform("GET", "")).status_code == 401
    openedx.key = new_key
    assert data(await openedx.perform("GET", ""))["name"] == "Acme Academy"


async def test_a_method_the_path_does_not_serve_is_405_naming_the_ones_it_does(
    openedx: OpenEdx,
) -> None:
    response = await openedx.perform("PUT", "")  # the organization: GET only
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert set(response.json()["data"]) == {"message"}
    response = await openedx.perform("GET", "badges/")  # awards: POST only
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_out_of_range_paging_and_a_numeric_issued_at_are_refused_not_500(
    openedx: OpenEdx, template_id: str
) -> None:
    far_page = await openedx.perform("GET", "badge_templates/?page=618208326380478330306560")
    assert far_page.status_code == 400
    assert "page" in far_page.json()["data"]["message"]
    body = {"recipient_email": "ada@example.org", "badge_template_id": template_id}
    numeric = await openedx.perform("POST", "badges/", {**body, "issued_at": 0})
    assert numeric.status_code == 422
    assert "issued_at" in numeric.json()["data"]["message"]
