"""The home page, the organization switcher, API tokens and the audit log in the web app."""

import re
from datetime import date, timedelta

import httpx
from sqlalchemy import delete, select

from laurel.credentials.service import today
from laurel.db import Database
from laurel.kit.timestamps import utc_now
from laurel.models import (
    AccessToken,
    AuditEvent,
    CertificationRecord,
    CertificationType,
    Membership,
    Role,
)
from laurel.webapp.service import WEEKS
from tests.conftest import VERSION, CertifierClient, Tenant, TenantFactory
from tests.webapp.conftest import Browser, BrowserFactory, issue_via_api


async def test_home_draws_issued_per_week_with_the_numbers_beside(
    signed_in_manager: Browser, api: CertifierClient, group_id: str
) -> None:
    for name in ("Ada", "Grace", "Alan"):
        await issue_via_api(api, group_id, name, f"{name.lower()}@example.org")
    old = (today() - timedelta(days=400)).isoformat()
    response = await api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={"groupId": group_id, "recipient": {"name": "Old"}, "issueDate": old},
    )
    assert response.status_code == 200, response.text

    home = await signed_in_manager.get("/app")
    assert home.status_code == 200
    assert "3 issued in the last 52 weeks" in home.text
    assert home.text.count("<rect ") == 5 * WEEKS  # issued, viewed, downloaded, LinkedIn, verified
    this_week = today() - timedelta(days=today().weekday())
    week_label = f"{this_week.day} {this_week:%B %Y}"
    assert f'<td>{week_label}</td><td class="number">3</td>' in home.text


async def test_home_counts_certifications_expiring(
    signed_in_manager: Browser, database: Database, tenant: Tenant
) -> None:
    async with database.sessions() as session, session.begin():
        membership = (
            await session.scalars(
                select(Membership).where(Membership.organization_id == tenant.organization_id)
            )
        ).one()
        kind = CertificationType(
            organization_id=tenant.organization_id, slug="first-aid", title="First aid"
        )
        session.add(kind)
        await session.flush()
        for days in (10, 45, 80, 200):
            session.add(
                CertificationRecord(
                    organization_id=tenant.organization_id,
                    organization_member_id=membership.id,
                    user_id=membership.user_id,
                    certification_type_id=kind.id,
                    issued_on=date(2026, 1, 1),
                    expires_on=today() + timedelta(days=days),
                )
            )
    home = await signed_in_manager.get("/app")
    assert "<strong>1</strong> within 30 days" in home.text
    assert "<strong>2</strong> within 60 days" in home.text
    assert "<strong>3</strong> within 90 days" in home.text


async def test_the_switcher_changes_organization_and_refuses_anothers(
    make_staff: BrowserFactory,
    make_tenant: TenantFactory,
    tenant: Tenant,
    api: CertifierClient,
    group_id: str,
) -> None:
    second = await make_tenant(name="Second School")
    stranger = await make_tenant(name="Stranger Org")
    browser = await make_staff(
        tenant.organization_id, Role.owner, also=((second.organization_id, Role.member),)
    )
    await browser.sign_in()
    await issue_via_api(api, group_id, "Ada Lovelace", "ada@example.org")
    first = await browser.get("/app/credentials")
    assert "Ada Lovelace" in first.text
    assert "Second School (member)" in first.text

    switched = await browser.post("/app/organization", {"organization_id": second.organization_id})
    assert switched.status_code == 303
    home = await browser.get("/app")
    assert "<h1>Second School</h1>" in home.text
    assert "Ada Lovelace" not in (await browser.get("/app/credentials")).text
    # A member there: the owner's pages of the first organization are not theirs here.
    assert (await browser.get("/app/settings/tokens")).status_code == 403

    refused = await browser.post("/app/organization", {"organization_id": stranger.organization_id})
    assert refused.status_code == 404
    assert "<h1>Second School</h1>" in (await browser.get("/app")).text


async def test_a_user_without_an_organization_is_told_so(
    make_staff: BrowserFactory, tenant: Tenant, database: Database
) -> None:
    browser = await make_staff(tenant.organization_id)
    async with database.sessions() as session, session.begin():
        await session.execute(delete(Membership).where(Membership.user_id == browser.user_id))
    assert (await browser.sign_in()).status_code == 303
    page = await browser.get("/app")
    assert page.status_code == 403
    assert "not an active member of any organization" in page.text


async def test_create_and_revoke_an_api_token_then_the_api_refuses_it(
    signed_in_owner: Browser, client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    listed = await signed_in_owner.get("/app/settings/tokens")
    assert listed.status_code == 200
    created = await signed_in_owner.post("/app/settings/tokens", {"name": "LMS integration"})
    assert created.status_code == 201
    secret = created.text.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith("laurel_")
    headers = {"Authorization": f"Bearer {secret}", "Certifier-Version": VERSION}
    assert (await client.get("/v1/groups", headers=headers)).status_code == 200

    # Shown once: the list never shows it again.
    assert secret not in (await signed_in_owner.get("/app/settings/tokens")).text
    async with database.sessions() as session:
        token = (
            await session.scalars(select(AccessToken).where(AccessToken.name == "LMS integration"))
        ).one()
    revoked = await signed_in_owner.post(f"/app/settings/tokens/{token.id}/revoke")
    assert revoked.status_code == 303
    assert (await client.get("/v1/groups", headers=headers)).status_code == 401
    # The organization's other token still works.
    assert (await client.get("/v1/groups", headers=tenant.headers)).status_code == 200
    async with database.sessions() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert {"token.created", "token.revoked"} <= set(actions)


async def test_another_organizations_token_cannot_be_revoked(
    signed_in_owner: Browser, other_tenant: Tenant, database: Database, client: httpx.AsyncClient
) -> None:
    async with database.sessions() as session:
        theirs = (
            await session.scalars(
                select(AccessToken).where(
                    AccessToken.organization_id == other_tenant.organization_id
                )
            )
        ).one()
    await signed_in_owner.get("/app/settings/tokens")
    response = await signed_in_owner.post(f"/app/settings/tokens/{theirs.id}/revoke")
    assert response.status_code == 404
    assert (await client.get("/v1/groups", headers=other_tenant.headers)).status_code == 200


async def test_tokens_and_audit_are_for_owners_and_admins(
    make_staff: BrowserFactory, tenant: Tenant
) -> None:
    for role, allowed in ((Role.member, False), (Role.manager, False), (Role.admin, True)):
        browser = await make_staff(tenant.organization_id, role)
        await browser.sign_in()
        expected = 200 if allowed else 403
        assert (await browser.get("/app/settings/tokens")).status_code == expected, role
        assert (await browser.get("/app/audit")).status_code == expected, role
        created = await browser.post("/app/settings/tokens", {"name": "x"})
        assert created.status_code == (201 if allowed else 403), role


async def test_the_audit_log_shows_who_did_what_from_where(
    signed_in_owner: Browser, api: CertifierClient, group_id: str, other_tenant: Tenant
) -> None:
    credential_id = await issue_via_api(api, group_id, "Ada Lovelace", "ada@example.org")
    await signed_in_owner.get(f"/app/credentials/{credential_id}")
    await signed_in_owner.post(f"/app/credentials/{credential_id}/revoke", {"reason": "Mistake"})
    page = await signed_in_owner.get("/app/audit")
    assert page.status_code == 200
    assert "credential.revoked" in page.text
    assert "signed_in" in page.text
    assert signed_in_owner.email in page.text
    assert "Ada Lovelace" in page.text
    assert "127.0.0.1" in page.text


async def test_the_audit_log_pages_by_cursor(
    signed_in_owner: Browser, database: Database, tenant: Tenant
) -> None:
    async with database.sessions() as session, session.begin():
        for number in range(60):
            session.add(
                AuditEvent(
                    organization_id=tenant.organization_id,
                    actor_email="x@example.org",
                    action=f"test.action{number:02d}",
                    target="",
                    at=utc_now(),
                )
            )
    first = await signed_in_owner.get("/app/audit")
    assert "Older entries" in first.text
    older = first.text.split('href="/app/audit?before=')[1].split('"')[0]
    second = await signed_in_owner.get(f"/app/audit?before={older}")
    assert "Older entries" not in second.text
    # Every entry once, across the two pages (ids order them; within a millisecond, randomly).
    seen = re.findall(r"<code>(test\.action\d\d)</code>", first.text + second.text)
    assert len(first.text.split("<code>")) - 1 == 50
    assert sorted(seen) == [f"test.action{number:02d}" for number in range(60)]


async def test_unknown_app_pages_are_html_not_found(signed_in_manager: Browser) -> None:
    response = await signed_in_manager.get("/app/nowhere")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]


async def test_pages_carry_the_content_security_policy(signed_in_manager: Browser) -> None:
    response = await signed_in_manager.get("/app")
    policy = response.headers["content-security-policy"]
    assert "script-src 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["cache-control"] == "no-store"
    stylesheet = await signed_in_manager.get("/app/static/app.css")
    assert stylesheet.status_code == 200
    assert stylesheet.headers["content-type"].startswith("text/css")
