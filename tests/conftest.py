"""Fixtures: a migrated database per backend, an app and client per test, tenants with tokens.

Every API test runs twice, on SQLite and on PostgreSQL (`backend` is parametrized at session
scope, so each database is migrated once). PostgreSQL comes from LAUREL_TEST_POSTGRES_URL
(default: the local server, trust auth); when it is unreachable its half is skipped, except in
CI (CI=true), where that is a failure.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio as redis_asyncio
from fastapi import FastAPI
from sqlalchemy import delete

from laurel.app import create_app
from laurel.config import Environment, Settings
from laurel.db import Database
from laurel.migrate import upgrade_database
from laurel.models import Base, Plan
from laurel.organizations.service import create_organization
from laurel.tokens.service import create_token

# Records-API people and organizations (tests/fixtures/records.py), real `laurel` processes
# (tests/fixtures/processes.py) and an SMTP server (tests/fixtures/mail.py), for every package.
pytest_plugins = ["tests.fixtures.records", "tests.fixtures.processes", "tests.fixtures.mail"]

VERSION = "2022-10-26"
POSTGRES_ADMIN_URL = os.environ.get(
    "LAUREL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("LAUREL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip locally; in CI a missing service is a failure, never a silent skip."""
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


async def _create_postgres_database(name: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def _drop_postgres_database(name: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def postgres_url_for(name: str) -> str:
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'laurel.db'}"
        await asyncio.to_thread(upgrade_database, url)
        yield url
        return
    name = f"laurel_test_{uuid.uuid4().hex[:12]}"
    try:
        await _create_postgres_database(name)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable: {error}")
    url = postgres_url_for(name)
    await asyncio.to_thread(upgrade_database, url)
    yield url
    await _drop_postgres_database(name)


@pytest.fixture
async def redis_url() -> str:
    """The local Redis (LAUREL_TEST_REDIS_URL), for tests of what several processes share."""
    client = redis_asyncio.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, redis_asyncio.ConnectionError) as error:
        unavailable(f"Redis at {REDIS_URL} is unreachable: {error}")
    finally:
        await client.aclose()
    return REDIS_URL


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        env=Environment.testing,
        database_url=database_url,
        rate_limit="100000/minute",
        auth_cache_seconds=0,
        page_cache_seconds=0,
        log_level="WARNING",
    )


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    """Direct database access for arranging and checking; emptied after each test."""
    database = Database.from_settings(settings)
    yield database
    async with database.sessions() as session, session.begin():
        for table in reversed(Base.metadata.sorted_tables):
            await session.execute(delete(table))
    await database.dispose()


@pytest.fixture
async def app(settings: Settings, database: Database) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    yield application
    await application.state.render_pool.close()
    await application.state.database.dispose()


def make_client(app: FastAPI, *, raise_app_exceptions: bool = True) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions),
        base_url="http://laurel.test",
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as http:
        yield http


@dataclass
class Tenant:
    organization_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Certifier-Version": VERSION}


TenantFactory = Callable[..., Awaitable[Tenant]]


@pytest.fixture
def make_tenant(database: Database) -> TenantFactory:
    async def make(plan: Plan = Plan.premium, name: str = "Acme Academy") -> Tenant:
        async with database.sessions() as session, session.begin():
            organization = await create_organization(session, name, plan)
            created = await create_token(session, organization.id, "tests")
        return Tenant(organization.id, created.secret)

    return make


@pytest.fixture
async def tenant(make_tenant: TenantFactory) -> Tenant:
    return await make_tenant()


@pytest.fixture
async def free_tenant(make_tenant: TenantFactory) -> Tenant:
    return await make_tenant(Plan.free, "Free Org")


@pytest.fixture
async def other_tenant(make_tenant: TenantFactory) -> Tenant:
    return await make_tenant(Plan.premium, "Someone Else")


CERTIFICATE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
    "<text x='10' y='40'>[recipient.name]</text><text y='80'>[group.name]</text></svg>"
)
BADGE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><circle r="90"/></svg>'
)


@dataclass
class CertifierClient:
    """A Certifier-style client for one tenant, as a real integration would call Laurel."""

    http: httpx.AsyncClient
    tenant: Tenant

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        content: str | bytes | None = None,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        return await self.http.request(
            method,
            path,
            json=json,
            content=content,
            params=params,
            headers={**self.tenant.headers, **(headers or {})},
        )

    async def create_design(self, kind: str = "certificate", name: str | None = None) -> str:
        svg = CERTIFICATE_SVG if kind == "certificate" else BADGE_SVG
        response = await self.request(
            "POST", "/v1/designs", json={"name": name or f"{kind} design", "type": kind, "svg": svg}
        )
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    async def create_group(self, **body: object) -> dict[str, Any]:
        response = await self.request("POST", "/v1/groups", json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture
def api(client: httpx.AsyncClient, tenant: Tenant) -> CertifierClient:
    return CertifierClient(client, tenant)


@pytest.fixture
def free_api(client: httpx.AsyncClient, free_tenant: Tenant) -> CertifierClient:
    return CertifierClient(client, free_tenant)


@pytest.fixture
def other_api(client: httpx.AsyncClient, other_tenant: Tenant) -> CertifierClient:
    return CertifierClient(client, other_tenant)


@pytest.fixture
async def group_id(api: CertifierClient) -> str:
    """A credential template of the default tenant, named "Financial Markets"."""
    group = await api.create_group(name="Financial Markets", designIds=[await api.create_design()])
    return str(group["id"])
