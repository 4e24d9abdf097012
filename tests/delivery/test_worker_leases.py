"""A worker keeps the jobs of a batch slower than its lease: it renews the lease as it goes."""

import asyncio
from collections import Counter

from laurel.config import Settings
from laurel.db import Database
from laurel.worker import DeliveryWorker
from tests.conftest import Tenant
from tests.delivery.test_worker_processes import queue_emails, wait_for
from tests.fixtures.mail import SmtpServer

BATCH = 6
LEASE_SECONDS = 1.5
# Each delivery well within the lease, the batch well beyond it.
DELIVERY_SECONDS = 0.4


async def test_a_batch_slower_than_its_lease_is_not_sent_twice(
    settings: Settings, database: Database, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    smtp_server.catcher.rcpt_delay = DELIVERY_SECONDS
    configured = settings.model_copy(
        update={"smtp_url": smtp_server.url, "worker_lease_seconds": LEASE_SECONDS}
    )
    await queue_emails(database, configured, tenant, BATCH)
    slow = DeliveryWorker(database, configured, batch_size=BATCH, worker_id="slow")
    rival = DeliveryWorker(database, configured, batch_size=BATCH, worker_id="rival")
    delivering = asyncio.create_task(slow.run_once())
    # The whole batch is the slow worker's once its first message is out.
    await wait_for(lambda: len(smtp_server.catcher.messages) >= 1, 60)
    rival_handled = 0
    while not delivering.done():
        # Another worker asks for due jobs all along, as a second `laurel worker` does.
        rival_handled += await rival.run_once()
        await asyncio.sleep(0.05)
    assert await delivering == BATCH
    for worker in (slow, rival):
        await worker.http.aclose()
    counts = Counter(smtp_server.catcher.message_ids())
    assert len(counts) == BATCH
    assert max(counts.values()) == 1, f"sent twice: {[m for m, c in counts.items() if c > 1]}"
    assert rival_handled == 0
