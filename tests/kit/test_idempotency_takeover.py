"""An idempotency key in flight at a crash is taken over as soon as its owner is known to be gone,
and not before: a retry while the owner still runs the request is a 409."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta

import httpx
import orjson
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text, update

from laurel.app import create_app
from laurel.config import Settings
from laurel.db import Database
from laurel.idempotency import (
    ABANDONED_AFTER,
    LEASE_LOST_AFTER,
    IdempotencyRepository,
    key_scope,
    request_fingerprint,
)
from laurel.kit.owners import UNKNOWN_MACHINE, Owner
from laurel.kit.timestamps import utc_now
from laurel.models import IdempotencyKey
from tests.conftest import CertifierClient, make_client
from tests.fixtures.owners import RUNNING_ELSEWHERE
from tests.fixtures.processes import free_port

HERE = Owner.new()
KEY = "crash-1"


def on_this_machine(pid: int) -> str:
    if HERE.machine == UNKNOWN_MACHINE:
        pytest.skip("pids are compared only where the machine can be named (Linux)")
    return str(Owner(HERE.hostname, HERE.machine, pid, "another-app"))


def credential(group_id: str) -> bytes:
    return orjson.dumps({"groupId": group_id, "recipient": {"name": "Ada"}})


async def mark_in_flight(
    database: Database,
    api: CertifierClient,
    group_id: str,
    owner: str | None,
    *,
    started: timedelta = timedelta(0),
    renewed: timedelta = timedelta(0),
) -> None:
    """A key as a request leaves it while it runs: marked, no response yet."""
    async with database.sessions() as session, session.begin():
        await IdempotencyRepository(session).insert(
            key_scope(api.tenant.token, "/v1/credentials"),
            KEY,
            request_fingerprint("/v1/credentials", credential(group_id)),
            owner or "",
        )
        now = utc_now()
        await session.execute(
            update(IdempotencyKey).values(
                owner=owner,
                created_at=now - started,
                owner_seen_at=None if owner is None else now - renewed,
            )
        )


async def retry(api: CertifierClient, group_id: str) -> httpx.Response:
    return await api.request(
        "POST",
        "/v1/credentials",
        content=credential(group_id),
        headers={"Idempotency-Key": KEY, "Content-Type": "application/json"},
    )


async def credentials_made(api: CertifierClient) -> int:
    return len((await api.request("GET", "/v1/credentials")).json()["data"])


async def assert_taken_over_once(api: CertifierClient, group_id: str) -> None:
    taken = await retry(api, group_id)
    assert taken.status_code == 200, taken.text
    assert "Idempotent-Replayed" not in taken.headers
    again = await retry(api, group_id)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == taken.json()
    assert await credentials_made(api) == 1


async def assert_still_in_use(api: CertifierClient, group_id: str) -> None:
    refused = await retry(api, group_id)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "idempotency_key_in_use"
    assert await credentials_made(api) == 0


@pytest.fixture
def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()  # reaped: nothing runs under this pid any more
    return process.pid


@pytest.fixture
def live_pid() -> Iterator[int]:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    yield process.pid
    process.kill()
    process.wait()


async def test_a_key_whose_process_is_gone_is_taken_over_at_once(
    api: CertifierClient, group_id: str, database: Database, dead_pid: int
) -> None:
    await mark_in_flight(database, api, group_id, on_this_machine(dead_pid))
    await assert_taken_over_once(api, group_id)


async def test_a_key_whose_process_runs_is_still_in_use(
    api: CertifierClient, group_id: str, database: Database, live_pid: int
) -> None:
    await mark_in_flight(database, api, group_id, on_this_machine(live_pid))
    await assert_still_in_use(api, group_id)


async def test_a_key_this_app_no_longer_runs_is_taken_over_at_once(
    app: FastAPI, api: CertifierClient, group_id: str, database: Database
) -> None:
    """As its request leaves it when the database goes away before the key is settled."""
    await mark_in_flight(database, api, group_id, str(app.state.in_flight_keys.owner))
    await assert_taken_over_once(api, group_id)


async def test_a_key_run_elsewhere_is_in_use_while_its_lease_is_renewed(
    api: CertifierClient, group_id: str, database: Database
) -> None:
    renewed = LEASE_LOST_AFTER - timedelta(seconds=3)
    await mark_in_flight(database, api, group_id, RUNNING_ELSEWHERE, renewed=renewed)
    await assert_still_in_use(api, group_id)


async def test_a_key_run_elsewhere_is_taken_over_once_its_lease_lapsed(
    api: CertifierClient, group_id: str, database: Database
) -> None:
    lapsed = LEASE_LOST_AFTER + timedelta(seconds=1)
    await mark_in_flight(database, api, group_id, RUNNING_ELSEWHERE, renewed=lapsed)
    await assert_taken_over_once(api, group_id)


@pytest.mark.parametrize("abandoned", [False, True])
async def test_a_key_marked_without_an_owner_waits_for_abandoned_after(
    api: CertifierClient, group_id: str, database: Database, abandoned: bool
) -> None:
    started = ABANDONED_AFTER + timedelta(seconds=1) if abandoned else timedelta(0)
    await mark_in_flight(database, api, group_id, None, started=started)
    if abandoned:
        await assert_taken_over_once(api, group_id)
    else:
        await assert_still_in_use(api, group_id)


async def test_a_running_request_renews_its_lease(
    app: FastAPI, settings: Settings, api: CertifierClient, group_id: str, database: Database
) -> None:
    keys = app.state.in_flight_keys
    await mark_in_flight(database, api, group_id, str(keys.owner), renewed=LEASE_LOST_AFTER * 2)
    async with database.sessions() as session:
        marker = (await session.execute(select(IdempotencyKey))).scalar_one()
    keys.hold(marker.id)  # as the request running under this key does
    await keys.renew(database)
    # Another app can tell the request still runs only by its lease.
    other = create_app(settings)
    async with make_client(other) as http:
        await assert_still_in_use(CertifierClient(http, api.tenant), group_id)
    await other.state.database.dispose()
    keys.release(marker.id)


# A real server killed mid-request.


async def wait_until_serving(base_url: str, server: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        for _ in range(600):
            if server.poll() is not None:
                pytest.fail("laurel serve exited")
            try:
                if (await http.get("/healthz", timeout=1)).status_code == 200:
                    return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    pytest.fail("laurel serve did not answer")


async def marker_owner(database: Database) -> str:
    for _ in range(600):
        async with database.sessions() as session:
            owner = (await session.execute(select(IdempotencyKey.owner))).scalar()
        if owner is not None:
            return owner
        await asyncio.sleep(0.1)
    pytest.fail("the request never marked its key")


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`laurel serve` on the test database, as a process of its own."""
    if settings.is_sqlite:
        pytest.skip("the request is held mid-flight by a PostgreSQL table lock")
    port = free_port()
    env = {
        **os.environ,
        "LAUREL_DATABASE_URL": settings.database_url,
        "LAUREL_PORT": str(port),
        "LAUREL_LOG_LEVEL": "WARNING",
        "LAUREL_RUN_WORKER_IN_PROCESS": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "laurel", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process, f"http://127.0.0.1:{port}"
    if process.poll() is None:
        process.kill()
        process.wait()


async def test_a_server_killed_mid_request_leaves_a_key_a_retry_takes_over_at_once(
    server: tuple[subprocess.Popen[bytes], str],
    api: CertifierClient,
    group_id: str,
    database: Database,
) -> None:
    process, base_url = server
    await wait_until_serving(base_url, process)
    async with database.engine.connect() as blocker, httpx.AsyncClient() as remote:
        # The server's request marks its key, then waits on this lock to write its credential.
        await blocker.execute(text("LOCK TABLE credentials IN SHARE MODE"))
        first = asyncio.create_task(
            remote.post(
                f"{base_url}/v1/credentials",
                content=credential(group_id),
                headers={**api.tenant.headers, "Idempotency-Key": KEY},
                timeout=120,
            )
        )
        owner = Owner.parse(await marker_owner(database))
        assert owner is not None and owner.pid == process.pid
        await assert_still_in_use(api, group_id)

        process.kill()
        process.wait()
        with pytest.raises(httpx.TransportError):
            await first
        await blocker.rollback()
    await assert_taken_over_once(api, group_id)


async def requests_waiting_to_keep_an_answer(database: Database, blocker_pid: int) -> int:
    """How many statements writing an answer (`response_body`) wait on `blocker_pid`'s locks:
    not the lease renewals, which wait on them too but write no answer."""
    async with database.engine.connect() as observer:
        waiting = await observer.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE :blocker = ANY(pg_blocking_pids(pid)) AND query ILIKE '%response_body%'"
            ),
            {"blocker": blocker_pid},
        )
        return int(waiting.scalar_one())


async def test_a_server_killed_between_its_work_and_its_answer_did_the_work_once(
    server: tuple[subprocess.Popen[bytes], str],
    api: CertifierClient,
    group_id: str,
    database: Database,
) -> None:
    """The answer is committed with the work or not at all: a retry never repeats the work."""
    process, base_url = server
    await wait_until_serving(base_url, process)
    async with (
        database.engine.connect() as holding_work,
        database.engine.connect() as holding_answer,
        httpx.AsyncClient() as remote,
    ):
        # The request marks its key, then waits on this lock to write its credential ...
        await holding_work.execute(text("LOCK TABLE credentials IN SHARE MODE"))
        first = asyncio.create_task(
            remote.post(
                f"{base_url}/v1/credentials",
                content=credential(group_id),
                headers={**api.tenant.headers, "Idempotency-Key": KEY},
                timeout=120,
            )
        )
        await marker_owner(database)
        # ... and, once its work is done, waits on this one to write its answer to the key.
        await holding_answer.execute(text("SELECT id FROM idempotency_keys FOR UPDATE"))
        blocker_pid = (await holding_answer.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        await holding_work.rollback()
        for _ in range(600):
            if await requests_waiting_to_keep_an_answer(database, blocker_pid):
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the request never came to keep its answer")

        process.kill()
        process.wait()
        (told,) = await asyncio.gather(first, return_exceptions=True)
        await holding_answer.rollback()
    await assert_taken_over_once(api, group_id)
    # Nor was the client told of work that was then not kept.
    assert isinstance(told, httpx.TransportError), told


async def test_a_request_whose_key_was_taken_over_meanwhile_keeps_no_work(
    settings: Settings, api: CertifierClient, group_id: str, database: Database
) -> None:
    """A request slower than its lease may lose its key to a retry elsewhere: then that retry
    does the work, and the first one's is rolled back (409), not done twice."""
    if settings.is_sqlite:
        pytest.skip("the request is held mid-flight by a PostgreSQL table lock")
    async with database.engine.connect() as holding_work:
        await holding_work.execute(text("LOCK TABLE credentials IN SHARE MODE"))
        first = asyncio.create_task(retry(api, group_id))
        await marker_owner(database)
        async with database.sessions() as session, session.begin():
            # As a retry on another node does once the lease has lapsed.
            await session.execute(update(IdempotencyKey).values(owner=RUNNING_ELSEWHERE))
        await holding_work.rollback()
    lost = await first
    assert lost.status_code == 409, lost.text
    assert lost.json()["error"]["code"] == "idempotency_key_in_use"
    assert await credentials_made(api) == 0
