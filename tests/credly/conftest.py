"""Open edX's Credly client, as `openedx/credentials` `badges/credly/api_client.py` calls Laurel.

Its transport: `urljoin(<API base>organizations/<org uuid>/, suffix)`, the headers below, the
bare key base64-encoded with no colon. The app runs with an SMTP sink and private webhook
addresses allowed, so that the email and the push reach the loopback peers.
"""

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from laurel.app import create_app
from laurel.config import Settings
from laurel.db import Database
from laurel.kit.ids import uuid_of
from tests.conftest import CertifierClient, Tenant, make_client
from tests.delivery.conftest import (
    delivery_settings,
    webhook_receiver,  # noqa: F401 (the fixture, used by name in tests/credly)
)
from tests.fixtures.mail import SmtpServer

API_BASE = "http://laurel.test/credly/v1/"
PUBLIC_URL = "http://laurel.test"


def bare_key_header(key: str) -> str:
    """What Open edX sends: base64 of the key alone (its test expects `dGVzdF9hcGlfa2V5`)."""
    return "Basic " + base64.b64encode(key.encode()).decode()


@dataclass
class OpenEdx:
    """One Open edX `CredlyAPIClient` for one organization UUID and key."""

    http: httpx.AsyncClient
    organization_uuid: str
    key: str
    authorization: str | None = None

    @property
    def base(self) -> str:
        return f"{API_BASE}organizations/{self.organization_uuid}/"

    async def perform(self, method: str, suffix: str, body: object = None) -> httpx.Response:
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": self.authorization or bare_key_header(self.key),
        }
        return await self.http.request(
            method, urljoin(self.base, suffix), headers=headers, json=body
        )

    async def issue(self, template_id: str, email: str = "ada@example.org") -> httpx.Response:
        return await self.perform(
            "POST",
            "badges/",
            {
                "recipient_email": email,
                "issued_to_first_name": "Ada",
                "issued_to_last_name": "Lovelace",
                "badge_template_id": template_id,
                "issued_at": "2026-11-20 09:15:00 +0000",
            },
        )


@pytest.fixture
def credly_settings(settings: Settings, smtp_server: SmtpServer) -> Settings:
    return delivery_settings(settings, smtp_url=smtp_server.url, public_url=PUBLIC_URL)


@pytest.fixture
async def credly_http(
    credly_settings: Settings, database: Database
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(credly_settings)
    async with make_client(app) as http:
        yield http
    await app.state.render_pool.close()
    await app.state.database.dispose()


@pytest.fixture
def openedx(credly_http: httpx.AsyncClient, tenant: Tenant) -> OpenEdx:
    return OpenEdx(credly_http, uuid_of(tenant.organization_id), tenant.token)


@pytest.fixture
def certifier(credly_http: httpx.AsyncClient, tenant: Tenant) -> CertifierClient:
    return CertifierClient(credly_http, tenant)


@pytest.fixture
async def template_id(certifier: CertifierClient) -> str:
    """A credential template of the tenant, as Open edX knows it: its UUID."""
    design = await certifier.create_design("badge")
    group = await certifier.create_group(name="Python 101", designIds=[design])
    return uuid_of(str(group["id"]))


def data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()["data"]
