"""Web app fixtures: staff with passwords in an organization, each with a browser of their own.

A `Browser` is an httpx client with its own cookie jar that signs in through the sign-in form and
posts forms with the CSRF token read from the page, as a browser would.
"""

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI

from laurel.db import Database
from laurel.members import service as members
from laurel.models import Role
from laurel.users import service as users
from laurel.users.passwords import hash_password
from tests.conftest import CertifierClient, Tenant, make_client

PASSWORD = "correct horse battery staple"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@lru_cache(maxsize=1)
def password_hash() -> str:
    """Hashed once per run: scrypt is slow on purpose."""
    return hash_password(PASSWORD)


def csrf_token_in(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match is not None, "the page has no form with a CSRF token"
    return match[1]


@dataclass
class Browser:
    """One person's browser: its cookies, and the CSRF token of the last page with a form."""

    http: httpx.AsyncClient
    email: str
    user_id: str
    csrf: str = ""
    pages: list[str] = field(default_factory=list)

    async def get(self, path: str, **kwargs: object) -> httpx.Response:
        response = await self.http.get(path, **kwargs)  # type: ignore[arg-type]
        if "csrf_token" in response.text:
            self.csrf = csrf_token_in(response.text)
        return response

    async def post(self, path: str, data: dict[str, str] | None = None) -> httpx.Response:
        """Post a form as the page would: with the session's CSRF token."""
        return await self.http.post(path, data={"csrf_token": self.csrf, **(data or {})})

    async def sign_in(self, password: str = PASSWORD, next_: str = "") -> httpx.Response:
        form = await self.get("/app/sign-in", params={"next": next_} if next_ else None)
        assert form.status_code == 200, form.text
        data = {"email": self.email, "password": password, "next": next_}
        response = await self.http.post(
            "/app/sign-in", data={"csrf_token": csrf_token_in(form.text), **data}
        )
        if response.status_code == 303:
            # Every signed-in page carries the session's token; read it from the home page.
            await self.get("/app")
        return response


BrowserFactory = Callable[..., Awaitable[Browser]]


@pytest.fixture
async def browsers(app: FastAPI) -> AsyncIterator[list[httpx.AsyncClient]]:
    opened: list[httpx.AsyncClient] = []
    yield opened
    for http in opened:
        await http.aclose()


@pytest.fixture
def make_staff(
    database: Database, app: FastAPI, browsers: list[httpx.AsyncClient]
) -> BrowserFactory:
    """A user with a password, a member of `organization_id` with `role`, and their browser."""

    async def make(
        organization_id: str,
        role: Role = Role.manager,
        *,
        email: str | None = None,
        also: tuple[tuple[str, Role], ...] = (),
    ) -> Browser:
        email = email or f"{uuid4().hex[:10]}@example.org"
        async with database.sessions() as session, session.begin():
            user = await users.create_user(session, email, "Sam Staff")
            user.password_hash = password_hash()
            await members.add_membership(session, organization_id, user.id, role, is_primary=True)
            for other_organization, other_role in also:
                await members.add_membership(session, other_organization, user.id, other_role)
        http = make_client(app)
        browsers.append(http)
        return Browser(http, email, user.id)

    return make


@pytest.fixture
async def signed_in_manager(make_staff: BrowserFactory, tenant: Tenant) -> Browser:
    browser = await make_staff(tenant.organization_id, Role.manager)
    assert (await browser.sign_in()).status_code == 303
    return browser


@pytest.fixture
async def signed_in_owner(make_staff: BrowserFactory, tenant: Tenant) -> Browser:
    browser = await make_staff(tenant.organization_id, Role.owner)
    assert (await browser.sign_in()).status_code == 303
    return browser


async def issue_via_api(api: CertifierClient, group_id: str, name: str, email: str) -> str:
    response = await api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={"groupId": group_id, "recipient": {"name": name, "email": email}},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])
