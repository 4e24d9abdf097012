"""Settings → organization (profile, issuer identity, keys), Settings → plan, and "last used" on
API tokens, on both databases."""

import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from laurel.app import create_app
from laurel.config import Settings
from laurel.db import Database
from laurel.kit.timestamps import utc_now
from laurel.models import AccessToken, AuditEvent, Organization, Role
from laurel.tokens.usage import TokenUses
from tests.conftest import CertifierClient, Tenant, make_client
from tests.webapp.conftest import Browser, BrowserFactory

PROFILE = {
    "name": "Acme Academy of Arts",
    "url": "https://acme.example.org",
    "email": "registrar@acme.example.org",
    "image": "https://acme.example.org/logo.png",
    "description": "Courses in the arts.",
}
LAST_USED_CELL = re.compile(
    r'<td data-label="Name">([^<]*)</td>.*?data-testid="last-used">(.*?)</td>', re.S
)


@pytest.fixture
async def signed_in_admin(make_staff: BrowserFactory, tenant: Tenant) -> Browser:
    browser = await make_staff(tenant.organization_id, Role.admin)
    assert (await browser.sign_in()).status_code == 303
    return browser


async def save_profile(browser: Browser, **fields: str) -> httpx.Response:
    await browser.get("/app/settings/organization")
    return await browser.post("/app/settings/organization", {**PROFILE, **fields})


async def actions(database: Database, organization_id: str) -> list[str]:
    async with database.sessions() as session:
        statement = select(AuditEvent.action).where(AuditEvent.organization_id == organization_id)
        return list((await session.scalars(statement)).all())


async def organization_name(database: Database, organization_id: str) -> str:
    async with database.sessions() as session:
        organization = await session.get(Organization, organization_id)
        assert organization is not None
        return organization.name


@pytest.mark.parametrize("role", [Role.owner, Role.admin])
async def test_owners_and_admins_see_the_issuer_identity(
    make_staff: BrowserFactory, tenant: Tenant, api: CertifierClient, role: Role
) -> None:
    browser = await make_staff(tenant.organization_id, role)
    assert (await browser.sign_in()).status_code == 303

    page = await browser.get("/app/settings/organization")

    assert page.status_code == 200, page.text
    issuer = (await api.request("GET", "/v1/issuer")).json()
    assert f'data-testid="issuer-id">{issuer["id"]}<' in page.text
    assert f"/issuers/{tenant.organization_id}/did.json" in page.text
    assert issuer["verificationMethod"] in page.text
    key = issuer["keys"][0]
    assert f"/issuers/{tenant.organization_id}/keys/{key['id']}" in page.text
    assert key["publicKeyMultibase"] in page.text
    assert 'href="/app/settings/organization"' in page.text


@pytest.mark.parametrize("role", [Role.member, Role.manager])
async def test_members_and_managers_may_not_see_or_change_the_organization(
    make_staff: BrowserFactory, tenant: Tenant, database: Database, role: Role
) -> None:
    browser = await make_staff(tenant.organization_id, role)
    assert (await browser.sign_in()).status_code == 303

    assert (await browser.get("/app/settings/organization")).status_code == 403
    assert (await browser.post("/app/settings/organization", PROFILE)).status_code == 403
    signing = {"cryptosuite": "eddsa-jcs-2022", "did_method": "key"}
    assert (await browser.post("/app/settings/organization/signing", signing)).status_code == 403
    rotate = await browser.post("/app/settings/organization/rotate-key", {"confirm": "rotate"})
    assert rotate.status_code == 403
    assert await organization_name(database, tenant.organization_id) == "Acme Academy"
    assert 'href="/app/settings/organization"' not in (await browser.get("/app")).text


async def test_the_profile_is_saved_and_the_api_shows_it(
    signed_in_owner: Browser, api: CertifierClient, database: Database, tenant: Tenant
) -> None:
    saved = await save_profile(signed_in_owner)

    assert saved.status_code == 303
    assert saved.headers["location"] == "/app/settings/organization?done=profile"
    issuer = (await api.request("GET", "/v1/issuer")).json()
    assert {field: issuer[field] for field in PROFILE} == PROFILE
    page = await signed_in_owner.get("/app/settings/organization?done=profile")
    assert "The profile is saved" in page.text
    assert PROFILE["description"] in page.text
    logged = await actions(database, tenant.organization_id)
    assert "organization.changed" in logged
    assert "issuer.changed" in logged

    cleared = await save_profile(signed_in_owner, url="", description="")
    assert cleared.status_code == 303
    issuer = (await api.request("GET", "/v1/issuer")).json()
    assert issuer["url"] is None
    assert issuer["description"] is None
    assert issuer["email"] == PROFILE["email"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "not a url"),
        ("email", "nobody"),
        ("image", "ftp://acme.example.org/logo.png"),
        ("description", "x" * 5001),
        ("name", "   "),
        ("name", "n" * 256),
    ],
)
async def test_a_bad_field_is_shown_beside_it_and_nothing_changes(
    signed_in_owner: Browser,
    api: CertifierClient,
    database: Database,
    tenant: Tenant,
    field: str,
    value: str,
) -> None:
    refused = await save_profile(signed_in_owner, **{field: value})

    assert refused.status_code == 400, refused.text
    assert f'id="{field}-problem"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert await organization_name(database, tenant.organization_id) == "Acme Academy"
    issuer = (await api.request("GET", "/v1/issuer")).json()
    assert issuer["url"] is None
    assert "organization.changed" not in await actions(database, tenant.organization_id)


async def test_signing_choices_are_saved_and_refused_by_the_field(
    signed_in_owner: Browser, api: CertifierClient, database: Database, tenant: Tenant
) -> None:
    await signed_in_owner.get("/app/settings/organization")
    saved = await signed_in_owner.post(
        "/app/settings/organization/signing",
        {"cryptosuite": "eddsa-jcs-2022", "did_method": "key"},
    )
    assert saved.status_code == 303
    issuer = (await api.request("GET", "/v1/issuer")).json()
    assert (issuer["cryptosuite"], issuer["didMethod"]) == ("eddsa-jcs-2022", "key")
    assert issuer["id"].startswith("did:key:")
    assert "issuer.changed" in await actions(database, tenant.organization_id)

    unknown = await signed_in_owner.post(
        "/app/settings/organization/signing",
        {"cryptosuite": "rsa-2048", "did_method": "web"},
    )
    assert unknown.status_code == 400
    assert 'id="cryptosuite-problem"' in unknown.text
    # The service's own rule: the DID method may not be cleared.
    cleared = await signed_in_owner.post(
        "/app/settings/organization/signing", {"cryptosuite": "eddsa-rdfc-2022", "did_method": ""}
    )
    assert cleared.status_code == 400
    assert 'id="did_method-problem"' in cleared.text
    assert "may not be null" in cleared.text
    issuer = (await api.request("GET", "/v1/issuer")).json()
    assert (issuer["cryptosuite"], issuer["didMethod"]) == ("eddsa-jcs-2022", "key")


async def test_rotating_the_key_needs_the_confirmation_and_keeps_the_old_key(
    signed_in_admin: Browser, api: CertifierClient, database: Database, tenant: Tenant
) -> None:
    before = (await api.request("GET", "/v1/issuer")).json()
    await signed_in_admin.get("/app/settings/organization")

    unconfirmed = await signed_in_admin.post(
        "/app/settings/organization/rotate-key", {"confirm": "yes"}
    )
    assert unconfirmed.status_code == 400
    assert 'id="confirm-problem"' in unconfirmed.text
    assert len((await api.request("GET", "/v1/issuer")).json()["keys"]) == 1

    rotated = await signed_in_admin.post(
        "/app/settings/organization/rotate-key", {"confirm": "rotate"}
    )

    assert rotated.status_code == 303
    keys = (await api.request("GET", "/v1/issuer")).json()["keys"]
    assert len(keys) == 2
    assert keys[0] == {**before["keys"][0], "retired": True}
    assert keys[1]["retired"] is False
    page = await signed_in_admin.get("/app/settings/organization?done=rotated")
    assert "Retired" in page.text
    assert keys[1]["publicKeyMultibase"] in page.text
    assert "issuer.key_rotated" in await actions(database, tenant.organization_id)
    # Both keys stay in the DID document: credentials signed before keep verifying.
    did = await api.http.get(f"/issuers/{tenant.organization_id}/did.json")
    assert len(did.json()["verificationMethod"]) == 2


async def test_forms_without_the_csrf_token_are_refused(
    signed_in_owner: Browser, api: CertifierClient, database: Database, tenant: Tenant
) -> None:
    http = signed_in_owner.http
    assert (await http.post("/app/settings/organization", data=PROFILE)).status_code == 403
    signing = {"cryptosuite": "eddsa-jcs-2022", "did_method": "key"}
    assert (await http.post("/app/settings/organization/signing", data=signing)).status_code == 403
    rotate = await http.post("/app/settings/organization/rotate-key", data={"confirm": "rotate"})
    assert rotate.status_code == 403
    issuer = (await api.request("GET", "/v1/issuer")).json()
    assert (issuer["name"], issuer["didMethod"], len(issuer["keys"])) == ("Acme Academy", "web", 1)


async def test_only_the_chosen_organization_is_shown_and_changed(
    make_staff: BrowserFactory,
    tenant: Tenant,
    other_tenant: Tenant,
    other_api: CertifierClient,
    database: Database,
) -> None:
    browser = await make_staff(tenant.organization_id, Role.owner)
    assert (await browser.sign_in()).status_code == 303

    page = await browser.get("/app/settings/organization")
    assert tenant.organization_id in page.text
    assert other_tenant.organization_id not in page.text
    assert (await save_profile(browser)).status_code == 303
    rotated = await browser.post("/app/settings/organization/rotate-key", {"confirm": "rotate"})
    assert rotated.status_code == 303

    other = (await other_api.request("GET", "/v1/issuer")).json()
    assert (other["name"], other["url"], len(other["keys"])) == ("Someone Else", None, 1)
    assert await organization_name(database, tenant.organization_id) == PROFILE["name"]


@pytest.mark.parametrize("role", [Role.member, Role.manager, Role.admin, Role.owner])
async def test_every_role_reads_the_plan_and_its_usage(
    make_staff: BrowserFactory,
    tenant: Tenant,
    api: CertifierClient,
    settings: Settings,
    role: Role,
) -> None:
    await api.create_design("certificate")
    await api.create_design("badge")
    browser = await make_staff(tenant.organization_id, role)
    assert (await browser.sign_in()).status_code == 303

    page = await browser.get("/app/settings/plan")

    assert page.status_code == 200, page.text
    assert "Premium plan" in page.text
    assert "nothing is billed" in page.text
    assert f"{settings.rate_limit} per API token, on every plan" in page.text
    assert "up to 20, any mix" in page.text
    assert "<strong>2</strong> designs" in page.text
    assert "<strong>1</strong> members" in page.text
    assert "<strong>1</strong> active API tokens" in page.text
    assert "<strong>0</strong> credentials issued in all" in page.text


async def test_the_plan_counts_only_the_organizations_own_credentials(
    make_staff: BrowserFactory,
    free_tenant: Tenant,
    other_api: CertifierClient,
) -> None:
    design = await other_api.create_design("certificate")
    group = await other_api.create_group(name="Course", designIds=[design])
    issued = await other_api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={"groupId": group["id"], "recipient": {"name": "Ana", "email": "ana@example.org"}},
    )
    assert issued.status_code == 200, issued.text
    browser = await make_staff(free_tenant.organization_id, Role.member)
    assert (await browser.sign_in()).status_code == 303

    page = await browser.get("/app/settings/plan")

    assert "Free plan" in page.text
    assert "1 certificate design and 1 badge design" in page.text
    assert "<strong>0</strong> credentials issued in all" in page.text
    assert "<strong>0</strong> credential templates" in page.text
    assert "<strong>0</strong> designs" in page.text


async def test_the_plan_counts_credentials_issued(
    signed_in_manager: Browser, api: CertifierClient
) -> None:
    design = await api.create_design("certificate")
    group = await api.create_group(name="Course", designIds=[design])
    for index in range(2):
        response = await api.request(
            "POST",
            "/v1/credentials/create-issue-send",
            json={"groupId": group["id"], "recipient": {"name": f"R{index}"}},
        )
        assert response.status_code == 200, response.text

    page = await signed_in_manager.get("/app/settings/plan")

    assert "<strong>2</strong> credentials issued in all" in page.text
    assert re.search(r"<strong>2</strong> credentials issued in \w+ \d{4}", page.text)
    assert "<strong>1</strong> credential templates" in page.text


def last_used_cells(html: str) -> dict[str, str]:
    """Each token's "Last used" cell, by the token's name."""
    return {name: " ".join(cell.split()) for name, cell in LAST_USED_CELL.findall(html)}


async def test_a_token_used_through_the_api_shows_when(
    signed_in_admin: Browser, api: CertifierClient, app: FastAPI, database: Database
) -> None:
    await signed_in_admin.get("/app/settings/tokens")
    created = await signed_in_admin.post("/app/settings/tokens", {"name": "unused"})
    assert created.status_code == 201
    assert last_used_cells((await signed_in_admin.get("/app/settings/tokens")).text) == {
        "tests": "Never",
        "unused": "Never",
    }

    assert (await api.request("GET", "/v1/issuer")).status_code == 200
    uses: TokenUses = app.state.token_uses
    assert await uses.write(database) == 1

    cells = last_used_cells((await signed_in_admin.get("/app/settings/tokens")).text)
    assert cells["unused"] == "Never"
    assert re.fullmatch(
        r'<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC</time> '
        r'<span class="muted">\(just now\)</span>',
        cells["tests"],
    ), cells["tests"]


async def test_uses_are_written_at_most_once_a_minute_per_token(
    api: CertifierClient, app: FastAPI, database: Database, tenant: Tenant
) -> None:
    uses: TokenUses = app.state.token_uses
    assert (await api.request("GET", "/v1/issuer")).status_code == 200
    assert await uses.write(database) == 1
    # The same process does not note it again within the minute.
    assert (await api.request("GET", "/v1/issuer")).status_code == 200
    assert await uses.write(database) == 0

    # Another process (a fresh memory): its write skips a time less than a minute old...
    app.state.token_uses = TokenUses()
    assert (await api.request("GET", "/v1/issuer")).status_code == 200
    assert await app.state.token_uses.write(database) == 0
    # ...and moves one older than a minute.
    two_minutes_ago = utc_now() - timedelta(minutes=2)
    async with database.sessions() as session, session.begin():
        await session.execute(update(AccessToken).values(last_used_at=two_minutes_ago))
    app.state.token_uses = TokenUses()
    assert (await api.request("GET", "/v1/issuer")).status_code == 200
    assert await app.state.token_uses.write(database) == 1
    async with database.sessions() as session:
        stored = (await session.scalars(select(AccessToken.last_used_at))).one()
    assert stored is not None
    assert stored > two_minutes_ago + timedelta(minutes=1)


async def test_a_use_served_from_the_auth_cache_is_noted(
    settings: Settings, database: Database, tenant: Tenant
) -> None:
    """The principal cache answers the second request without reading the token's row (here:
    it still accepts the token revoked in between); the use is noted all the same."""
    app = create_app(settings.model_copy(update={"auth_cache_seconds": 600}))
    async with make_client(app) as http:
        assert (await http.get("/v1/issuer", headers=tenant.headers)).status_code == 200
        app.state.token_uses = TokenUses()
        async with database.sessions() as session, session.begin():
            await session.execute(update(AccessToken).values(revoked_at=utc_now()))

        assert (await http.get("/v1/issuer", headers=tenant.headers)).status_code == 200

        assert await app.state.token_uses.write(database) == 1
    await app.state.render_pool.close()
    await app.state.database.dispose()


async def test_a_refused_token_is_not_noted(
    app: FastAPI, database: Database, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = {**tenant.headers, "Authorization": "Bearer not-a-token"}
    assert (await client.get("/v1/issuer", headers=headers)).status_code == 401
    assert await app.state.token_uses.write(database) == 0


async def test_uses_are_kept_when_a_write_fails(
    api: CertifierClient, app: FastAPI, database: Database, settings: Settings, tmp_path: Path
) -> None:
    uses: TokenUses = app.state.token_uses
    assert (await api.request("GET", "/v1/issuer")).status_code == 200
    missing = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'laurel.db'}"
    unreachable = Database.from_settings(settings.model_copy(update={"database_url": missing}))
    with pytest.raises(OperationalError):
        await uses.write(unreachable)
    await unreachable.dispose()

    assert await uses.write(database) == 1
