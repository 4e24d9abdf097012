"""OAuth fixtures: a member with a password, registered apps, and a browser-like sign-in."""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from laurel.auth.scopes import Scope
from laurel.db import Database
from laurel.members import service as members
from laurel.models import Plan, Role
from laurel.oauth.apps import register_app
from laurel.organizations.service import create_organization
from laurel.users import service as users

PASSWORD = "correct horse battery staple"
REDIRECT_URI = "https://app.example.org/callback"


@dataclass
class Member:
    user_id: str
    email: str
    organization_id: str


@dataclass
class App:
    client_id: str
    secret: str | None
    scopes: list[str]


@pytest.fixture
async def ada(database: Database) -> Member:
    async with database.sessions() as session, session.begin():
        organization = await create_organization(session, "Northwind Health", Plan.premium)
        user = await users.create_user(session, "ada@example.org", "Ada Lovelace", PASSWORD)
        await members.add_membership(
            session, organization.id, user.id, Role.member, is_primary=True
        )
    return Member(user.id, user.email, organization.id)


async def _register(
    database: Database, organization_id: str, scopes: list[str], *, confidential: bool
) -> App:
    async with database.sessions() as session, session.begin():
        registered = await register_app(
            session,
            organization_id,
            "Roster Sync",
            [REDIRECT_URI, "http://127.0.0.1:8765/cb"],
            scopes,
            confidential=confidential,
        )
    return App(registered.app.client_id, registered.client_secret, registered.app.scopes.split())


APP_SCOPES = [Scope.certification_records_read.value, Scope.organization_members_read.value]


@pytest.fixture
async def public_app(database: Database, ada: Member) -> App:
    return await _register(database, ada.organization_id, APP_SCOPES, confidential=False)


@pytest.fixture
async def confidential_app(database: Database, ada: Member) -> App:
    return await _register(database, ada.organization_id, APP_SCOPES, confidential=True)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


class _FormReader(HTMLParser):
    """The consent form's action and its inputs, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.labels: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.action = attributes["action"]
        elif tag == "input" and attributes.get("type") == "hidden":
            self.fields[attributes["name"]] = attributes["value"]
        elif tag == "label":
            self.labels.add(attributes.get("for", ""))


def read_form(html: str) -> _FormReader:
    reader = _FormReader()
    reader.feed(html)
    return reader


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


@dataclass
class Browser:
    """The user's browser on Laurel's sign-in page, sent there by an app."""

    http: httpx.AsyncClient

    async def open(self, app: App, **params: str) -> httpx.Response:
        query = {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": REDIRECT_URI,
            "state": "xyz-state",
            **params,
        }
        return await self.http.get("/auth/v1/oauth/authorize", params=query)

    async def submit(
        self, page: httpx.Response, decision: str = "approve", password: str = PASSWORD
    ) -> httpx.Response:
        form = read_form(page.text)
        body = {**form.fields, "email": "Ada@Example.org", "password": password}
        body["decision"] = decision
        return await self.http.post(urlsplit(form.action).path, data=body)

    async def authorize(self, app: App, challenge: str, **params: str) -> dict[str, str]:
        """Sign in and approve; the query the app receives on its redirect URI."""
        page = await self.open(
            app, code_challenge=challenge, code_challenge_method="S256", **params
        )
        assert page.status_code == 200, page.text
        answer = await self.submit(page)
        assert answer.status_code == 302, answer.text
        assert answer.headers["location"].startswith(REDIRECT_URI + "?")
        return query_of(answer.headers["location"])


@pytest.fixture
def browser(client: httpx.AsyncClient) -> Browser:
    return Browser(client)


async def exchange_code(
    http: httpx.AsyncClient, app: App, code: str, verifier: str, **extra: str
) -> httpx.Response:
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": app.client_id,
        "code_verifier": verifier,
        **extra,
    }
    return await http.post("/auth/v1/oauth/token", data=body)


async def refresh(http: httpx.AsyncClient, app: App, refresh_token: str) -> httpx.Response:
    body = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return await http.post("/auth/v1/oauth/token", data={**body, "client_id": app.client_id})


async def sign_in_for_tokens(
    browser: Browser, app: App, scope: str = "openid email profile"
) -> dict[str, str]:
    verifier, challenge = pkce_pair()
    code = (await browser.authorize(app, challenge, scope=scope))["code"]
    response = await exchange_code(browser.http, app, code, verifier)
    assert response.status_code == 200, response.text
    return dict(response.json())
