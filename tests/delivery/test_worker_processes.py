"""`laurel worker` as real processes: killed mid-batch and restarted, and two side by side."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from laurel.config import Settings
from laurel.db import Database
from laurel.delivery.jobs import email_job, enqueue
from laurel.delivery.repository import OutboxRepository
from tests.conftest import Tenant
from tests.fixtures.mail import SmtpServer

MESSAGES = 30
WorkerStarter = Callable[[], subprocess.Popen[bytes]]


async def queue_emails(database: Database, settings: Settings, tenant: Tenant, count: int) -> None:
    async with database.sessions() as session, session.begin():
        messages = [
            {
                "to": f"person{n}@example.org",
                "subject": f"Credential {n}",
                "text": "Hello",
                "message_id": f"<message-{n}@laurel.test>",
            }
            for n in range(count)
        ]
        jobs = [email_job(settings, tenant.organization_id, message) for message in messages]
        await enqueue(session, jobs)


@pytest.fixture
def start_worker(settings: Settings, smtp_server: SmtpServer) -> Iterator[WorkerStarter]:
    started: list[subprocess.Popen[bytes]] = []
    env = {
        **os.environ,
        "LAUREL_DATABASE_URL": settings.database_url,
        "LAUREL_SMTP_URL": smtp_server.url,
        "LAUREL_WORKER_LEASE_SECONDS": "2",
        "LAUREL_WORKER_POLL_SECONDS": "0.1",
        "LAUREL_LOG_LEVEL": "WARNING",
    }

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "laurel", "worker", "--batch-size", "5"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)


async def wait_for(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for deliveries")
        await asyncio.sleep(0.05)


async def test_a_killed_worker_loses_nothing_and_repeats_at_most_the_message_in_flight(
    settings: Settings,
    database: Database,
    tenant: Tenant,
    smtp_server: SmtpServer,
    start_worker: WorkerStarter,
) -> None:
    smtp_server.catcher.rcpt_delay = 0.05
    configured = settings.model_copy(update={"smtp_url": smtp_server.url})
    await queue_emails(database, configured, tenant, MESSAGES)

    first = start_worker()
    await wait_for(lambda: len(smtp_server.catcher.messages) >= 8, 60)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    delivered_before_restart = len(smtp_server.catcher.messages)
    assert delivered_before_restart < MESSAGES, "the kill landed mid-batch"

    start_worker()
    await wait_for(lambda: len(set(smtp_server.catcher.message_ids())) == MESSAGES, 90)
    await asyncio.sleep(0.5)
    counts = Counter(smtp_server.catcher.message_ids())
    assert set(counts) == {f"<message-{n}@laurel.test>" for n in range(MESSAGES)}
    # At least once: a kill between sending and settling repeats that one message, no other
    # (docs/architecture.md, "A worker job"). Receivers deduplicate by Message-ID.
    repeats = sum(count - 1 for count in counts.values())
    assert repeats <= 1, f"sent twice: {[m for m, c in counts.items() if c > 1]}"
    async with database.sessions() as session:
        statuses = Counter(
            job.status for job in await OutboxRepository(session).list_jobs(None, 100)
        )
    assert statuses == {"delivered": MESSAGES}


async def test_two_workers_share_the_work_on_postgresql(
    settings: Settings,
    database: Database,
    tenant: Tenant,
    smtp_server: SmtpServer,
    start_worker: WorkerStarter,
) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("concurrent workers claim with FOR UPDATE SKIP LOCKED on PostgreSQL")
    smtp_server.catcher.rcpt_delay = 0.02
    configured = settings.model_copy(update={"smtp_url": smtp_server.url})
    await queue_emails(database, configured, tenant, MESSAGES * 2)
    start_worker()
    start_worker()
    await wait_for(lambda: len(set(smtp_server.catcher.message_ids())) == MESSAGES * 2, 90)
    await asyncio.sleep(0.5)
    counts = Counter(smtp_server.catcher.message_ids())
    assert len(counts) == MESSAGES * 2
    assert max(counts.values()) == 1
