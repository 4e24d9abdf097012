"""One function signs a credential, once, however many callers race for it."""

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from laurel.config import Settings
from laurel.credentials.repository import CredentialRepository
from laurel.db import Database
from laurel.models import StatusAllocation
from laurel.vc.service import issue_verifiable
from tests.conftest import CertifierClient, Tenant


async def _issued_credential(api: CertifierClient, group_id: str) -> str:
    body = {"groupId": group_id, "recipient": {"name": "Ada Lovelace"}}
    response = await api.request("POST", "/v1/credentials/create-issue-send", json=body)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def _sign(
    database: Database, settings: Settings, tenant: Tenant, credential_id: str
) -> dict[str, Any]:
    async with database.sessions() as session, session.begin():
        view = await CredentialRepository(session).get_view(tenant.organization_id, credential_id)
        assert view is not None
        signed = await issue_verifiable(session, settings, tenant.organization_id, view)
        await asyncio.sleep(0.2)  # hold the row while the other caller arrives
        return signed


async def test_two_callers_racing_sign_once(
    api: CertifierClient, group_id: str, database: Database, settings: Settings, tenant: Tenant
) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("concurrent writers take the row lock on PostgreSQL; SQLite has one writer")
    credential_id = await _issued_credential(api, group_id)
    first, second = await asyncio.gather(
        _sign(database, settings, tenant, credential_id),
        _sign(database, settings, tenant, credential_id),
    )
    assert first["proof"]["proofValue"] == second["proof"]["proofValue"]
    async with database.sessions() as session:
        allocations = await session.scalar(
            select(func.count())
            .select_from(StatusAllocation)
            .where(StatusAllocation.credential_id == credential_id)
        )
    assert allocations == 1


async def test_a_signed_credential_is_returned_as_kept(
    api: CertifierClient, group_id: str, database: Database, settings: Settings, tenant: Tenant
) -> None:
    credential_id = await _issued_credential(api, group_id)
    first = await _sign(database, settings, tenant, credential_id)
    again = await _sign(database, settings, tenant, credential_id)
    assert again == first
