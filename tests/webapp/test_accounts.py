"""Invitations and password resets by email, through a real SMTP server (aiosmtpd) and the
delivery worker: the link in the email is followed as the recipient would."""

from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from laurel.config import Environment, Settings
from laurel.db import Database
from laurel.kit.timestamps import utc_now
from laurel.models import AuditEvent, Invitation, Membership, PasswordReset, Role
from tests.conftest import Tenant, make_client
from tests.delivery.conftest import HtmlLinks, deliver_due, email_parts
from tests.fixtures.mail import SmtpServer
from tests.webapp.conftest import PASSWORD, Browser, BrowserFactory, csrf_token_in

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def settings(database_url: str, smtp_server: SmtpServer) -> Settings:
    return Settings(
        env=Environment.testing,
        database_url=database_url,
        rate_limit="100000/minute",
        auth_cache_seconds=0,
        page_cache_seconds=0,
        log_level="WARNING",
        smtp_url=smtp_server.url,
        public_url="https://laurel.example",
    )


async def _link_in_last_email(
    database: Database,
    settings: Settings,
    smtp_server: SmtpServer,
    button: str,
) -> str:
    await deliver_due(database, settings)
    message = smtp_server.catcher.messages[-1]
    parts = email_parts(message)
    (link,) = [href for href, text in HtmlLinks(parts["text/html"]).links if text == button]
    assert link in parts["text/plain"]
    assert link.startswith("https://laurel.example/app/")
    return urlsplit(link).path


async def _submit_link_form(browser: Browser, path: str, data: dict[str, str]) -> httpx.Response:
    page = await browser.http.get(path)
    assert page.status_code == 200, page.text
    return await browser.http.post(path, data={"csrf_token": csrf_token_in(page.text), **data})


async def test_an_invited_manager_sets_a_password_and_arrives_signed_in(
    app: FastAPI,
    settings: Settings,
    database: Database,
    make_staff: BrowserFactory,
    tenant: Tenant,
    smtp_server: SmtpServer,
) -> None:
    admin = await make_staff(tenant.organization_id, Role.admin)
    await admin.sign_in()
    await admin.get("/app/settings/members")
    sent = await admin.post(
        "/app/settings/invitations", {"email": "Nora@Example.org", "role": "manager"}
    )
    assert sent.status_code == 200, sent.text
    assert "Invitation sent to nora@example.org." in sent.text
    assert "nora@example.org as manager" in sent.text

    path = await _link_in_last_email(database, settings, smtp_server, "Accept the invitation")
    assert smtp_server.catcher.envelopes[-1] == ["nora@example.org"]
    async with make_client(app) as http:
        nora = Browser(http, "nora@example.org", "")
        too_short = await _submit_link_form(
            nora, path, {"display_name": "Nora", "password": "short", "password_again": "short"}
        )
        assert too_short.status_code == 400
        joined = await _submit_link_form(
            nora,
            path,
            {"display_name": "Nora N", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        )
        assert joined.status_code == 303
        home = await nora.get("/app")
        assert home.status_code == 200
        assert "(manager)" in home.text
        assert (await nora.get("/app/credentials/new")).status_code == 200
        # Single use: the link is dead now.
        assert (await http.get(path)).status_code == 404
        # And the password works from a fresh browser.
        async with make_client(app) as other:
            assert (
                await Browser(other, "nora@example.org", "").sign_in(NEW_PASSWORD)
            ).status_code == 303
    async with database.sessions() as session:
        actions = set((await session.scalars(select(AuditEvent.action))).all())
    assert {"member.invited", "invitation.accepted"} <= actions


async def test_an_expired_invitation_is_refused(
    database: Database,
    settings: Settings,
    make_staff: BrowserFactory,
    tenant: Tenant,
    smtp_server: SmtpServer,
) -> None:
    admin = await make_staff(tenant.organization_id, Role.admin)
    await admin.sign_in()
    await admin.get("/app/settings/members")
    await admin.post("/app/settings/invitations", {"email": "late@example.org", "role": "member"})
    path = await _link_in_last_email(database, settings, smtp_server, "Accept the invitation")
    async with database.sessions() as session, session.begin():
        await session.execute(update(Invitation).values(expires_at=utc_now()))
    page = await admin.http.get(path)
    assert page.status_code == 404
    assert "used or has expired" in page.text


async def test_who_may_invite_whom(
    make_staff: BrowserFactory, tenant: Tenant, database: Database
) -> None:
    manager = await make_staff(tenant.organization_id, Role.manager)
    await manager.sign_in()
    assert (await manager.get("/app/settings/members")).status_code == 403
    refused = await manager.post("/app/settings/invitations", {"email": "x@example.org"})
    assert refused.status_code == 403
    admin = await make_staff(tenant.organization_id, Role.admin)
    await admin.sign_in()
    await admin.get("/app/settings/members")
    as_owner = await admin.post(
        "/app/settings/invitations", {"email": "boss@example.org", "role": "owner"}
    )
    assert as_owner.status_code == 403
    bad_role = await admin.post(
        "/app/settings/invitations", {"email": "x@example.org", "role": "king"}
    )
    assert bad_role.status_code == 400
    assert "role:" in bad_role.text
    bad_email = await admin.post(
        "/app/settings/invitations", {"email": "not an email", "role": "member"}
    )
    assert bad_email.status_code == 400
    assert "email:" in bad_email.text
    already = await admin.post(
        "/app/settings/invitations", {"email": manager.email, "role": "member"}
    )
    assert already.status_code == 409
    async with database.sessions() as session:
        assert (await session.scalars(select(Invitation))).all() == []


async def test_an_existing_user_joins_another_organization_by_invitation(
    app: FastAPI,
    settings: Settings,
    database: Database,
    make_staff: BrowserFactory,
    tenant: Tenant,
    other_tenant: Tenant,
    smtp_server: SmtpServer,
) -> None:
    elsewhere = await make_staff(other_tenant.organization_id, Role.owner)
    admin = await make_staff(tenant.organization_id, Role.admin)
    await admin.sign_in()
    await admin.get("/app/settings/members")
    await admin.post("/app/settings/invitations", {"email": elsewhere.email, "role": "member"})
    path = await _link_in_last_email(database, settings, smtp_server, "Accept the invitation")
    page = await elsewhere.http.get(path)
    assert 'name="password"' not in page.text  # they have one already
    joined = await elsewhere.http.post(path, data={"csrf_token": csrf_token_in(page.text)})
    assert joined.status_code == 303
    async with database.sessions() as session:
        memberships = (
            await session.scalars(select(Membership).where(Membership.user_id == elsewhere.user_id))
        ).all()
    assert {m.organization_id for m in memberships} == {
        tenant.organization_id,
        other_tenant.organization_id,
    }
    # They arrived signed in, and their password is unchanged.
    assert (await elsewhere.get("/app")).status_code == 200
    async with make_client(app) as http:
        assert (await Browser(http, elsewhere.email, "").sign_in()).status_code == 303


async def test_password_reset_by_email_sets_a_new_password_and_ends_sessions(
    app: FastAPI,
    settings: Settings,
    database: Database,
    make_staff: BrowserFactory,
    tenant: Tenant,
    smtp_server: SmtpServer,
) -> None:
    staff = await make_staff(tenant.organization_id)
    await staff.sign_in()
    async with make_client(app) as http:
        forgetful = Browser(http, staff.email, staff.user_id)
        asked = await _submit_link_form(forgetful, "/app/password-reset", {"email": staff.email})
        assert "If an account exists" in asked.text
        unknown = await _submit_link_form(
            forgetful, "/app/password-reset", {"email": "nobody@example.org"}
        )
        # The same answer for an address without an account, and no email for it.
        assert "If an account exists" in unknown.text
        path = await _link_in_last_email(database, settings, smtp_server, "Choose a new password")
        assert len(smtp_server.catcher.messages) == 1
        mismatch = await _submit_link_form(
            forgetful, path, {"password": NEW_PASSWORD, "password_again": "something else"}
        )
        assert mismatch.status_code == 400
        done = await _submit_link_form(
            forgetful, path, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
        )
        assert done.status_code == 303
        assert done.headers["location"] == "/app/sign-in?reset=done"
        assert (await http.get(path)).status_code == 404
        assert (await forgetful.sign_in(PASSWORD)).status_code == 400
        assert (await forgetful.sign_in(NEW_PASSWORD)).status_code == 303
    # The session signed in with the old password has ended.
    assert (await staff.get("/app")).status_code == 303


async def test_an_expired_reset_link_is_refused(
    settings: Settings,
    database: Database,
    make_staff: BrowserFactory,
    tenant: Tenant,
    smtp_server: SmtpServer,
) -> None:
    staff = await make_staff(tenant.organization_id)
    await _submit_link_form(staff, "/app/password-reset", {"email": staff.email})
    path = await _link_in_last_email(database, settings, smtp_server, "Choose a new password")
    async with database.sessions() as session, session.begin():
        await session.execute(update(PasswordReset).values(expires_at=utc_now()))
    assert (await staff.http.get(path)).status_code == 404


async def test_link_forms_need_their_csrf_token(make_staff: BrowserFactory, tenant: Tenant) -> None:
    staff = await make_staff(tenant.organization_id)
    refused = await staff.http.post("/app/password-reset", data={"email": staff.email})
    assert refused.status_code == 403
