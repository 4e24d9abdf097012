"""Templates read from the committed-reads cache are never stale, whoever changed them."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import update

from laurel.app import create_app
from laurel.config import Settings
from laurel.db import CommittedReads, Database, committed_reads
from laurel.groups.repository import GroupRepository
from laurel.models import Group, Plan
from laurel.organizations.service import create_organization
from tests.conftest import CertifierClient, Tenant, make_client


@pytest.fixture
async def cached_api(settings: Settings, tenant: Tenant) -> AsyncIterator[CertifierClient]:
    """A client of an app that trusts checked tokens (the default), as production runs: its
    requests start with no SQL, so templates come from the cache."""
    app = create_app(settings.model_copy(update={"auth_cache_seconds": 60}))
    async with make_client(app) as http:
        yield CertifierClient(http, tenant)
    await app.state.database.dispose()


async def test_a_change_from_another_process_is_seen_at_once(
    cached_api: CertifierClient,
    database: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = cached_api
    design = await api.create_design()
    group = await api.create_group(name="Before", designIds=[design])
    path = f"/v1/groups/{group['id']}"
    reads = 0
    read_view = GroupRepository._read_view

    async def counted(self: GroupRepository, organization_id: str, group_id: str) -> object:
        nonlocal reads
        reads += 1
        return await read_view(self, organization_id, group_id)

    monkeypatch.setattr(GroupRepository, "_read_view", counted)
    assert (await api.request("GET", path)).json()["name"] == "Before"
    assert (await api.request("GET", path)).json()["name"] == "Before"
    assert reads == (1 if settings.is_sqlite else 2)
    # `database` has its own engine and connections, as another `laurel serve` process would.
    async with database.sessions() as session, session.begin():
        await session.execute(update(Group).where(Group.id == group["id"]).values(name="After"))
    assert (await api.request("GET", path)).json()["name"] == "After"


async def test_a_deleted_template_is_gone_at_once(cached_api: CertifierClient) -> None:
    api = cached_api
    design = await api.create_design()
    group = await api.create_group(name="Short-lived", designIds=[design])
    path = f"/v1/groups/{group['id']}"
    assert (await api.request("GET", path)).status_code == 200
    assert (await api.request("DELETE", path)).status_code == 204
    assert (await api.request("GET", path)).status_code == 404


async def test_a_transaction_reads_its_own_writes(cached_api: CertifierClient) -> None:
    api = cached_api
    design = await api.create_design()
    group = await api.create_group(name="Old", designIds=[design])
    path = f"/v1/groups/{group['id']}"
    assert (await api.request("GET", path)).json()["name"] == "Old"
    # The PATCH reads the template back after its update, inside its transaction.
    patched = await api.request("PATCH", path, json={"name": "New"})
    assert patched.json()["name"] == "New"
    assert (await api.request("GET", path)).json()["name"] == "New"


async def test_reads_are_kept_until_a_commit_and_only_outside_transactions(
    database: Database, settings: Settings
) -> None:
    reads = committed_reads(database.sessions())
    calls = 0

    async def read() -> int:
        nonlocal calls
        calls += 1
        return calls

    async with database.sessions() as session:
        first = await reads.read(session, "key", read)
        again = await reads.read(session, "key", read)
    if not settings.is_sqlite:
        # PostgreSQL gives no cheap signal of other processes' commits: nothing is kept.
        assert (first, again) == (1, 2)
        return
    assert (first, again) == (1, 1)
    async with database.sessions() as session, session.begin():
        await create_organization(session, "Changes the database", Plan.free)
        assert await reads.read(session, "key", read) == 2  # in a transaction: not kept
    async with database.sessions() as session:
        assert await reads.read(session, "key", read) == 3  # the commit emptied the cache
        assert await reads.read(session, "key", read) == 3


async def test_a_read_overtaken_by_a_commit_is_not_kept(database: Database) -> None:
    version = [1]
    reads = CommittedReads(lambda: version[0])
    calls: list[str] = []

    async def slow_read() -> str:
        # While this read awaits, someone commits and another request sees the new version.
        version[0] = 2
        await reads.read(session, "other", fresh_read)
        calls.append("slow")
        return "before the commit"

    async def fresh_read() -> str:
        calls.append("fresh")
        return "after the commit"

    async with database.sessions() as session:
        assert await reads.read(session, "group", slow_read) == "before the commit"
        assert await reads.read(session, "group", fresh_read) == "after the commit"
    assert calls == ["fresh", "slow", "fresh"]
