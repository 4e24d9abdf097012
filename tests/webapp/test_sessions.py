"""Signing in and out of the web app: sessions, cookies, CSRF, timeouts, throttling, redirects."""

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from laurel.app import create_app
from laurel.config import Settings
from laurel.db import Database
from laurel.kit.timestamps import utc_now
from laurel.models import AuditEvent, Role, WebSession
from laurel.webapp.schemas import safe_next
from laurel.webapp.sessions import SESSION_COOKIE
from tests.conftest import Tenant, make_client
from tests.webapp.conftest import PASSWORD, Browser, BrowserFactory, csrf_token_in


async def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(
    make_staff: BrowserFactory, tenant: Tenant
) -> None:
    browser = await make_staff(tenant.organization_id)
    refused = await browser.get("/app/credentials?status=issued")
    assert refused.status_code == 303
    assert refused.headers["location"] == "/app/sign-in?next=%2Fapp%2Fcredentials%3Fstatus%3Dissued"

    signed_in = await browser.sign_in(next_="/app/credentials?status=issued")
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/app/credentials?status=issued"
    page = await browser.get("/app/credentials?status=issued")
    assert page.status_code == 200
    assert "<h1>Credentials</h1>" in page.text


async def test_the_session_cookie_is_http_only_lax_and_scoped_to_the_app(
    make_staff: BrowserFactory, tenant: Tenant
) -> None:
    browser = await make_staff(tenant.organization_id)
    response = await browser.sign_in()
    cookie = next(
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith(f"{SESSION_COOKIE}=")
    )
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "path"} <= attributes
    assert "samesite=lax" in cookie.lower()
    assert "Path=/app" in cookie
    # Served over plain http here; over https the cookie is Secure (next test).
    assert "secure" not in attributes


async def test_the_session_cookie_is_secure_over_https(
    app: FastAPI, make_staff: BrowserFactory, tenant: Tenant
) -> None:
    browser = await make_staff(tenant.organization_id)
    async with make_client(app) as http:
        http.base_url = httpx.URL("https://laurel.test")
        https = Browser(http, browser.email, browser.user_id)
        response = await https.sign_in()
    cookie = next(
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith(f"{SESSION_COOKIE}=")
    )
    assert "secure" in cookie.lower()


async def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    make_staff: BrowserFactory, tenant: Tenant
) -> None:
    browser = await make_staff(tenant.organization_id)
    response = await browser.sign_in(password="not the password")
    assert response.status_code == 400
    assert "The email or password is not right." in response.text
    assert SESSION_COOKIE not in browser.http.cookies
    assert (await browser.get("/app")).status_code == 303


async def test_sign_in_rotates_the_session(make_staff: BrowserFactory, tenant: Tenant) -> None:
    browser = await make_staff(tenant.organization_id)
    await browser.sign_in()
    first = browser.http.cookies[SESSION_COOKIE]
    # The form is fetched without the session (a signed-in browser is sent on), then posted
    # with it, as a browser holding a planted session cookie would.
    browser.http.cookies.delete(SESSION_COOKIE)
    form = await browser.get("/app/sign-in")
    browser.http.cookies.set(SESSION_COOKIE, first, domain="laurel.test", path="/app")
    response = await browser.http.post(
        "/app/sign-in",
        data={"csrf_token": csrf_token_in(form.text), "email": browser.email, "password": PASSWORD},
    )
    assert response.status_code == 303
    second = response.cookies[SESSION_COOKIE]
    assert first != second
    # The session the browser held before signing in again has ended.
    async with make_client(browser.http._transport.app) as other:  # type: ignore[attr-defined]
        other.cookies.set(SESSION_COOKIE, first, path="/app")
        assert (await other.get("/app")).status_code == 303


async def test_the_sign_in_form_needs_its_csrf_token(
    make_staff: BrowserFactory, tenant: Tenant
) -> None:
    browser = await make_staff(tenant.organization_id)
    await browser.get("/app/sign-in")
    response = await browser.http.post(
        "/app/sign-in", data={"email": browser.email, "password": "x", "csrf_token": "forged"}
    )
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]


async def test_every_signed_in_form_needs_the_session_csrf_token(
    signed_in_manager: Browser,
) -> None:
    for path in ("/app/sign-out", "/app/organization", "/app/credentials"):
        missing = await signed_in_manager.http.post(path, data={})
        assert missing.status_code == 403, path
        assert "did not come from Laurel" in missing.text
        wrong = await signed_in_manager.http.post(path, data={"csrf_token": "wrong"})
        assert wrong.status_code == 403, path
    # Still signed in: the refused sign-out did nothing.
    assert (await signed_in_manager.get("/app")).status_code == 200


async def test_sign_out_ends_the_session(signed_in_manager: Browser) -> None:
    cookie = signed_in_manager.http.cookies[SESSION_COOKIE]
    response = await signed_in_manager.post("/app/sign-out")
    assert response.status_code == 303
    assert response.headers["location"] == "/app/sign-in"
    signed_in_manager.http.cookies.set(SESSION_COOKIE, cookie, path="/app")
    assert (await signed_in_manager.get("/app")).status_code == 303


async def test_sign_out_everywhere_ends_every_session_of_the_user(
    app: FastAPI, make_staff: BrowserFactory, tenant: Tenant, database: Database
) -> None:
    laptop = await make_staff(tenant.organization_id, Role.admin)
    await laptop.sign_in()
    async with make_client(app) as http:
        phone = Browser(http, laptop.email, laptop.user_id)
        await phone.sign_in()
        assert (await phone.get("/app")).status_code == 200
        colleague = await make_staff(tenant.organization_id)
        await colleague.sign_in()

        assert (await laptop.post("/app/sign-out-everywhere")).status_code == 303

        assert (await phone.get("/app")).status_code == 303
        assert (await laptop.get("/app")).status_code == 303
        assert (await colleague.get("/app")).status_code == 200
    async with database.sessions() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert "signed_out_everywhere" in actions


async def test_an_idle_session_expires(
    signed_in_manager: Browser, database: Database, settings: Settings
) -> None:
    idle = timedelta(minutes=settings.web_session_idle_minutes, seconds=1)
    async with database.sessions() as session, session.begin():
        await session.execute(update(WebSession).values(last_seen_at=utc_now() - idle))
    assert (await signed_in_manager.get("/app")).status_code == 303


async def test_a_session_ends_at_its_absolute_limit_however_busy(
    signed_in_manager: Browser, database: Database
) -> None:
    async with database.sessions() as session, session.begin():
        await session.execute(
            update(WebSession).values(expires_at=utc_now() - timedelta(seconds=1))
        )
    assert (await signed_in_manager.get("/app")).status_code == 303


async def test_a_used_session_stays_alive(
    signed_in_manager: Browser, database: Database, settings: Settings
) -> None:
    nearly_idle = timedelta(minutes=settings.web_session_idle_minutes, seconds=-30)
    async with database.sessions() as session, session.begin():
        await session.execute(update(WebSession).values(last_seen_at=utc_now() - nearly_idle))
    assert (await signed_in_manager.get("/app")).status_code == 200
    async with database.sessions() as session:
        seen = (await session.scalars(select(WebSession.last_seen_at))).one()
    assert utc_now() - seen < timedelta(minutes=1)


async def test_sign_in_is_throttled(
    settings: Settings, make_staff: BrowserFactory, tenant: Tenant
) -> None:
    throttled = create_app(settings.model_copy(update={"sign_in_rate_limit": "2/minute"}))
    try:
        staff = await make_staff(tenant.organization_id)
        async with make_client(throttled) as http:
            browser = Browser(http, staff.email, staff.user_id)
            assert (await browser.sign_in(password="wrong")).status_code == 400
            assert (await browser.sign_in(password="wrong")).status_code == 400
            refused = await browser.sign_in()
            assert refused.status_code == 429
            assert "Too many sign-in attempts" in refused.text
    finally:
        await throttled.state.render_pool.close()
        await throttled.state.database.dispose()


@pytest.mark.parametrize(
    ("asked", "goes_to"),
    [
        ("/app/credentials?status=issued", "/app/credentials?status=issued"),
        ("https://evil.example/app", "/app"),
        ("//evil.example/app", "/app"),
        ("/app\\@evil.example", "/app"),
        ("/v1/credentials", "/app"),
        ("/application", "/app"),
        ("/app/../v1/credentials", "/app"),
        ("", "/app"),
    ],
)
def test_only_app_paths_are_returned_to_after_sign_in(asked: str, goes_to: str) -> None:
    assert safe_next(asked) == goes_to


async def test_sign_in_to_an_unsafe_next_goes_home(
    make_staff: BrowserFactory, tenant: Tenant
) -> None:
    browser = await make_staff(tenant.organization_id)
    response = await browser.sign_in(next_="https://evil.example/")
    assert response.headers["location"] == "/app"
