"""Open edX's Accredible client, as its Credentials service calls (`accredible/api_client.py`):
the base URL joined with relative suffixes by `urljoin`, JSON bodies written by `json.dumps`,
`Accept` and `Content-Type` JSON, and the key as `Authorization: Bearer <key>`."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from laurel.app import create_app
from laurel.config import Settings
from laurel.db import Database
from tests.conftest import CertifierClient, Tenant, make_client
from tests.fixtures.mail import SmtpServer

# `ACCREDIBLE_API_BASE_URL` as the operator sets it: the trailing slash matters to urljoin.
API_BASE = "http://laurel.test/accredible/v1/"
PUBLIC_URL = "http://laurel.test"


@dataclass
class OpenEdx:
    """An Open edX site configured with one organization's key."""

    http: httpx.AsyncClient
    api_key: str

    async def call(self, method: str, suffix: str, body: object = None) -> httpx.Response:
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.api_key}",
        }
        content = None if body is None else json.dumps(body)
        return await self.http.request(
            method, urljoin(API_BASE, suffix), headers=headers, content=content
        )

    async def sync_groups(self) -> list[dict[str, Any]]:
        """The admin action "Sync groups": `all_groups`, then each group's primary design."""
        response = await self.call("GET", "issuer/all_groups")
        assert response.status_code == 200, response.text
        groups: list[dict[str, Any]] = response.json()["groups"]
        for group in groups:
            design = await self.call("GET", f"designs/{group['primary_design_id']}")
            assert design.status_code == 200, design.text
            group["icon"] = design.json()["design"]["rasterized_content_url"]
        return groups

    async def issue(
        self, group_id: int, email: str = "ada@example.org", name: str = "Ada Lovelace"
    ) -> httpx.Response:
        """`issue_accredible_badge`: the local record's creation time, `%Y-%m-%d %H:%M:%S %z`."""
        body = {
            "credential": {
                "recipient": {"name": name, "email": email},
                "group_id": group_id,
                "name": "Data Science",
                "issued_on": "2026-11-30 00:15:42 +0000",
                "complete": True,
            }
        }
        return await self.call("POST", "credentials", body)

    async def revoke(self, credential_id: int, when: datetime | None = None) -> httpx.Response:
        """`revoke_accredible_badge`: a naive `datetime.now()`, so `%z` is empty."""
        # The site's clock is UTC (Django's default TIME_ZONE); `now` without its zone.
        naive = when or datetime.now(UTC).replace(tzinfo=None)
        moment = naive.strftime("%Y-%m-%d %H:%M:%S %z")
        assert moment.endswith(" ")
        body = {"credential": {"expired_on": moment}}
        return await self.call("PATCH", f"credentials/{credential_id}", body)


@dataclass
class Site:
    """Open edX pointed at an app that mails to the test's SMTP server, and the issuer API of
    the same organization, to arrange and to check."""

    openedx: OpenEdx
    api: CertifierClient
    settings: Settings
    database: Database
    smtp: SmtpServer

    async def group(self, name: str = "Data Science", *kinds: str) -> str:
        designs = [await self.api.create_design(kind) for kind in kinds or ("badge",)]
        return str((await self.api.create_group(name=name, designIds=designs))["id"])


@pytest.fixture
async def site(
    settings: Settings, database: Database, tenant: Tenant, smtp_server: SmtpServer
) -> AsyncIterator[Site]:
    configured = settings.model_copy(update={"smtp_url": smtp_server.url, "public_url": PUBLIC_URL})
    app = create_app(configured)
    async with make_client(app) as http:
        yield Site(
            OpenEdx(http, tenant.token),
            CertifierClient(http, tenant),
            configured,
            database,
            smtp_server,
        )
    await app.state.render_pool.close()
    await app.state.database.dispose()


@pytest.fixture
def openedx(site: Site) -> OpenEdx:
    return site.openedx
