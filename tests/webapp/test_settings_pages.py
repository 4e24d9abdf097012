"""Settings → webhooks in the web app: subscribe (secret shown once), rotate, deliveries and their
attempts, send one again."""

import re

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from laurel.db import Database
from laurel.delivery.repository import OutboxRepository
from laurel.kit.timestamps import utc_now
from laurel.models import (
    AuditEvent,
    JobStatus,
    Membership,
    OAuthApp,
    OutboxJob,
    Role,
    WebhookEndpoint,
)
from tests.conftest import CertifierClient, Tenant
from tests.fixtures.resolver import StubResolver
from tests.webapp.conftest import Browser, BrowserFactory, issue_via_api

HOOK_URL = "https://hooks.example.org/laurel"


@pytest.fixture(autouse=True)
def public_hook_name(app: FastAPI) -> None:
    """hooks.example.org resolves to a public address (nothing is sent to it in these tests)."""
    app.state.resolver = StubResolver({"hooks.example.org": [["93.184.216.34"]]})


async def add_endpoint(browser: Browser, url: str = HOOK_URL) -> httpx.Response:
    await browser.get("/app/settings/webhooks")
    return await browser.http.post(
        "/app/settings/webhooks",
        data={"csrf_token": browser.csrf, "url": url, "event_types": ["credential.issued"]},
    )


async def endpoint_id_of(database: Database, organization_id: str) -> str:
    async with database.sessions() as session:
        statement = select(WebhookEndpoint.id).where(
            WebhookEndpoint.organization_id == organization_id
        )
        return str((await session.scalars(statement)).one())


async def test_an_endpoint_is_added_and_its_secret_shown_once(
    signed_in_owner: Browser, database: Database, tenant: Tenant
) -> None:
    added = await add_endpoint(signed_in_owner)

    assert added.status_code == 201, added.text
    secret = re.search(r'id="new-secret" type="text" readonly value="([^"]+)"', added.text)
    assert secret is not None
    listed = await signed_in_owner.get("/app/settings/webhooks")
    assert HOOK_URL in listed.text
    assert secret[1] not in listed.text
    endpoint_id = await endpoint_id_of(database, tenant.organization_id)
    async with database.sessions() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert "webhook.created" in actions
    assert endpoint_id in (await signed_in_owner.get("/app/settings/webhooks")).text


async def test_bad_endpoints_are_refused_by_the_field(signed_in_owner: Browser) -> None:
    private = await add_endpoint(signed_in_owner, "https://127.0.0.1/hook")
    assert private.status_code == 400
    assert 'id="url-problem"' in private.text
    not_a_url = await add_endpoint(signed_in_owner, "not a url")
    assert not_a_url.status_code == 400
    assert 'id="url-problem"' in not_a_url.text
    no_events = await signed_in_owner.http.post(
        "/app/settings/webhooks", data={"csrf_token": signed_in_owner.csrf, "url": HOOK_URL}
    )
    assert no_events.status_code == 400
    assert 'id="event_types-problem"' in no_events.text
    unknown_event = await signed_in_owner.http.post(
        "/app/settings/webhooks",
        data={"csrf_token": signed_in_owner.csrf, "url": HOOK_URL, "event_types": "nope"},
    )
    assert unknown_event.status_code == 400
    assert 'id="event_types-problem"' in unknown_event.text


async def test_rotating_shows_a_new_secret(
    signed_in_owner: Browser, database: Database, tenant: Tenant
) -> None:
    first = await add_endpoint(signed_in_owner)
    endpoint_id = await endpoint_id_of(database, tenant.organization_id)
    await signed_in_owner.get(f"/app/settings/webhooks/{endpoint_id}")

    rotated = await signed_in_owner.post(f"/app/settings/webhooks/{endpoint_id}/rotate")

    assert rotated.status_code == 200
    old = re.search(r'id="new-secret" type="text" readonly value="([^"]+)"', first.text)
    new = re.search(r'id="new-secret" type="text" readonly value="([^"]+)"', rotated.text)
    assert old is not None and new is not None and old[1] != new[1]


async def test_deliveries_show_their_attempts_and_one_is_sent_again(
    signed_in_owner: Browser,
    database: Database,
    tenant: Tenant,
    api: CertifierClient,
    group_id: str,
) -> None:
    await add_endpoint(signed_in_owner)
    endpoint_id = await endpoint_id_of(database, tenant.organization_id)
    await issue_via_api(api, group_id, "Ada Lovelace", "ada@example.org")
    async with database.sessions() as session, session.begin():
        job_id = (
            await session.scalars(select(OutboxJob.id).where(OutboxJob.endpoint_id == endpoint_id))
        ).one()
        # As the worker leaves a delivery that gave up after its last try.
        await OutboxRepository(session).record_attempt(
            job_id, at=utc_now(), status_code=503, error=None, duration_ms=12
        )
        await session.execute(
            update(OutboxJob).where(OutboxJob.id == job_id).values(status=JobStatus.dead)
        )

    page = await signed_in_owner.get(f"/app/settings/webhooks/{endpoint_id}")
    assert page.status_code == 200
    assert "credential.issued" in page.text
    assert "HTTP 503" in page.text
    assert "(12 ms)" in page.text

    again = await signed_in_owner.post(
        f"/app/settings/webhooks/{endpoint_id}/deliveries/{job_id}/redeliver"
    )
    assert again.status_code == 303
    async with database.sessions() as session:
        job = await session.get(OutboxJob, job_id)
        assert job is not None and job.status == JobStatus.pending
    # While it is being tried, it cannot be sent again.
    await signed_in_owner.get(f"/app/settings/webhooks/{endpoint_id}")
    twice = await signed_in_owner.post(
        f"/app/settings/webhooks/{endpoint_id}/deliveries/{job_id}/redeliver"
    )
    assert twice.status_code == 409
    unknown = await signed_in_owner.post(
        f"/app/settings/webhooks/{endpoint_id}/deliveries/01m8aaaaaaaaaaaaaaaaaaaaaa/redeliver"
    )
    assert unknown.status_code == 404


async def test_another_organizations_endpoint_is_a_404(
    signed_in_owner: Browser, make_staff: BrowserFactory, other_tenant: Tenant, database: Database
) -> None:
    theirs = await make_staff(other_tenant.organization_id, Role.owner)
    assert (await theirs.sign_in()).status_code == 303
    assert (await add_endpoint(theirs)).status_code == 201
    their_id = await endpoint_id_of(database, other_tenant.organization_id)

    await signed_in_owner.get("/app/settings/webhooks")
    assert (await signed_in_owner.get(f"/app/settings/webhooks/{their_id}")).status_code == 404
    rotate = await signed_in_owner.post(f"/app/settings/webhooks/{their_id}/rotate")
    assert rotate.status_code == 404
    assert HOOK_URL not in (await signed_in_owner.get("/app/settings/webhooks")).text


async def test_a_manager_may_not_manage_webhooks(
    signed_in_manager: Browser, make_staff: BrowserFactory, tenant: Tenant, database: Database
) -> None:
    owner = await make_staff(tenant.organization_id, Role.owner)
    assert (await owner.sign_in()).status_code == 303
    await add_endpoint(owner)
    endpoint_id = await endpoint_id_of(database, tenant.organization_id)

    assert (await signed_in_manager.get("/app/settings/webhooks")).status_code == 403
    assert (await add_endpoint(signed_in_manager)).status_code == 403
    rotate = await signed_in_manager.post(f"/app/settings/webhooks/{endpoint_id}/rotate")
    assert rotate.status_code == 403


async def test_webhook_forms_without_the_csrf_token_are_refused(
    signed_in_owner: Browser, database: Database, tenant: Tenant
) -> None:
    refused = await signed_in_owner.http.post(
        "/app/settings/webhooks", data={"url": HOOK_URL, "event_types": "credential.issued"}
    )
    assert refused.status_code == 403
    await add_endpoint(signed_in_owner)
    endpoint_id = await endpoint_id_of(database, tenant.organization_id)
    rotate = await signed_in_owner.http.post(f"/app/settings/webhooks/{endpoint_id}/rotate")
    assert rotate.status_code == 403


async def membership_of(database: Database, organization_id: str, user_id: str) -> Membership:
    async with database.sessions() as session:
        statement = select(Membership).where(
            Membership.organization_id == organization_id, Membership.user_id == user_id
        )
        return (await session.scalars(statement)).one()


async def test_an_owner_changes_a_role_and_removes_a_member(
    signed_in_owner: Browser, make_staff: BrowserFactory, tenant: Tenant, database: Database
) -> None:
    colleague = await make_staff(tenant.organization_id, Role.member)
    member_id = (await membership_of(database, tenant.organization_id, colleague.user_id)).id
    page = await signed_in_owner.get("/app/settings/members")
    assert f"/app/settings/members/{member_id}/role" in page.text

    promoted = await signed_in_owner.post(
        f"/app/settings/members/{member_id}/role", {"role": "manager"}
    )
    assert promoted.status_code == 303
    membership = await membership_of(database, tenant.organization_id, colleague.user_id)
    assert membership.role == Role.manager

    removed = await signed_in_owner.post(f"/app/settings/members/{member_id}/remove")
    assert removed.status_code == 303
    membership = await membership_of(database, tenant.organization_id, colleague.user_id)
    assert membership.status == "suspended"
    async with database.sessions() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert {"member.role_changed", "member.removed"} <= set(actions)


async def test_the_last_owner_stays_with_the_reason_shown(
    signed_in_owner: Browser, database: Database, tenant: Tenant
) -> None:
    own_id = (await membership_of(database, tenant.organization_id, signed_in_owner.user_id)).id
    await signed_in_owner.get("/app/settings/members")

    demoted = await signed_in_owner.post(f"/app/settings/members/{own_id}/role", {"role": "admin"})
    assert demoted.status_code == 409
    assert "at least one active owner" in demoted.text
    removed = await signed_in_owner.post(f"/app/settings/members/{own_id}/remove")
    assert removed.status_code == 409
    membership = await membership_of(database, tenant.organization_id, signed_in_owner.user_id)
    assert (membership.role, membership.status) == (Role.owner, "active")


async def test_an_admin_may_not_touch_an_owner_and_a_manager_nothing(
    make_staff: BrowserFactory, signed_in_owner: Browser, tenant: Tenant, database: Database
) -> None:
    owner_id = (await membership_of(database, tenant.organization_id, signed_in_owner.user_id)).id
    admin = await make_staff(tenant.organization_id, Role.admin)
    manager = await make_staff(tenant.organization_id, Role.manager)
    for browser in (admin, manager):
        assert (await browser.sign_in()).status_code == 303
    admin_id = (await membership_of(database, tenant.organization_id, admin.user_id)).id

    to_owner = await admin.post(f"/app/settings/members/{admin_id}/role", {"role": "owner"})
    assert to_owner.status_code == 403
    assert (await admin.post(f"/app/settings/members/{owner_id}/remove")).status_code == 403
    assert (await manager.post(f"/app/settings/members/{admin_id}/remove")).status_code == 403
    bad_role = await admin.post(f"/app/settings/members/{admin_id}/role", {"role": "king"})
    assert bad_role.status_code == 400
    assert "role: one of" in bad_role.text


async def test_another_organizations_member_is_a_404(
    signed_in_owner: Browser, make_staff: BrowserFactory, other_tenant: Tenant, database: Database
) -> None:
    stranger = await make_staff(other_tenant.organization_id, Role.member)
    their_id = (await membership_of(database, other_tenant.organization_id, stranger.user_id)).id
    await signed_in_owner.get("/app/settings/members")
    assert (
        await signed_in_owner.post(f"/app/settings/members/{their_id}/remove")
    ).status_code == 404
    changed = await signed_in_owner.post(
        f"/app/settings/members/{their_id}/role", {"role": "admin"}
    )
    assert changed.status_code == 404
    membership = await membership_of(database, other_tenant.organization_id, stranger.user_id)
    assert (membership.role, membership.status) == (Role.member, "active")


async def test_member_forms_without_the_csrf_token_are_refused(
    signed_in_owner: Browser, make_staff: BrowserFactory, tenant: Tenant, database: Database
) -> None:
    colleague = await make_staff(tenant.organization_id, Role.member)
    member_id = (await membership_of(database, tenant.organization_id, colleague.user_id)).id
    refused = await signed_in_owner.http.post(f"/app/settings/members/{member_id}/remove")
    assert refused.status_code == 403
    membership = await membership_of(database, tenant.organization_id, colleague.user_id)
    assert membership.status == "active"


async def register(
    browser: Browser,
    name: str = "LMS",
    uris: str = "https://lms.example.org/cb",
    *,
    confidential: bool = True,
) -> httpx.Response:
    await browser.get("/app/settings/oauth-apps")
    data = {"csrf_token": browser.csrf, "name": name, "redirect_uris": uris}
    if confidential:
        data["confidential"] = "yes"
    return await browser.http.post("/app/settings/oauth-apps", data=data)


async def test_an_oauth_app_is_registered_listed_and_revoked(
    signed_in_owner: Browser, database: Database, tenant: Tenant
) -> None:
    registered = await register(signed_in_owner)
    assert registered.status_code == 201, registered.text
    client_id = re.search(
        r'id="new-client-id" type="text" readonly value="([^"]+)"', registered.text
    )
    secret = re.search(
        r'id="new-client-secret" type="text" readonly value="([^"]+)"', registered.text
    )
    assert client_id is not None and secret is not None
    listed = await signed_in_owner.get("/app/settings/oauth-apps")
    assert client_id[1] in listed.text
    assert secret[1] not in listed.text

    revoked = await signed_in_owner.post(f"/app/settings/oauth-apps/{client_id[1]}/revoke")
    assert revoked.status_code == 303
    async with database.sessions() as session:
        app = (
            await session.scalars(select(OAuthApp).where(OAuthApp.client_id == client_id[1]))
        ).one()
        assert app.revoked_at is not None
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert {"oauth_app.created", "oauth_app.revoked"} <= set(actions)


async def test_bad_oauth_apps_are_refused_by_the_field(signed_in_owner: Browser) -> None:
    no_name = await register(signed_in_owner, name=" ")
    assert no_name.status_code == 400
    assert 'id="name-problem"' in no_name.text
    plain_http = await register(signed_in_owner, uris="http://lms.example.org/cb")
    assert plain_http.status_code == 400
    assert 'id="redirect_uris-problem"' in plain_http.text
    no_uri = await register(signed_in_owner, uris="")
    assert no_uri.status_code == 400
    assert 'id="redirect_uris-problem"' in no_uri.text


async def test_another_organizations_app_is_a_404_and_a_manager_is_refused(
    signed_in_owner: Browser,
    signed_in_manager: Browser,
    make_staff: BrowserFactory,
    other_tenant: Tenant,
) -> None:
    theirs = await make_staff(other_tenant.organization_id, Role.owner)
    assert (await theirs.sign_in()).status_code == 303
    their_page = await register(theirs)
    their_id = re.search(
        r'id="new-client-id" type="text" readonly value="([^"]+)"', their_page.text
    )
    assert their_id is not None

    await signed_in_owner.get("/app/settings/oauth-apps")
    assert (
        await signed_in_owner.post(f"/app/settings/oauth-apps/{their_id[1]}/revoke")
    ).status_code == 404
    assert their_id[1] not in (await signed_in_owner.get("/app/settings/oauth-apps")).text
    assert (await signed_in_manager.get("/app/settings/oauth-apps")).status_code == 403
    assert (await register(signed_in_manager)).status_code == 403
    no_csrf = await signed_in_owner.http.post(f"/app/settings/oauth-apps/{their_id[1]}/revoke")
    assert no_csrf.status_code == 403
