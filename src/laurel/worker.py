"""The delivery worker: claims due outbox jobs, delivers them, settles them, retries with backoff.

Run as `laurel worker` (any number of processes) or inside `laurel serve`. Each job is leased to
one worker for `worker_lease_seconds`, and the lease of a batch's remaining jobs is renewed
before each delivery; a worker killed mid-batch leaves its unsettled jobs to be claimed again
when the lease runs out. Each job is settled in its own transaction right after its delivery,
so a crash can repeat at most the one message in flight.
"""

import asyncio
import contextlib
import os
import random
import socket
import time
from datetime import timedelta
from typing import Any

import structlog

from laurel.config import Settings
from laurel.credentials.repository import CredentialRepository
from laurel.credentials.tasks import issue_scheduled
from laurel.db import Database
from laurel.delivery.repository import OutboxRepository, Settlement
from laurel.delivery.senders import (
    DeliveryFailed,
    WebhookDelivery,
    post_json,
    post_webhook,
    send_email,
)
from laurel.idempotency import IdempotencyRepository
from laurel.kit.crypto import decrypt_secret
from laurel.kit.outages import database_unreachable
from laurel.kit.outbound import Resolver, public_only_client, system_resolver
from laurel.kit.timestamps import utc_now
from laurel.models import JobKind, JobStatus
from laurel.oauth.repository import OAuthRepository
from laurel.rendering.repository import RENDERS_KEPT_UNUSED, RenderRepository
from laurel.vc.service import issue_verifiable
from laurel.webhooks.repository import WebhookRepository

log = structlog.get_logger()

FIRST_RETRY_SECONDS = 30
LONGEST_WAIT_SECONDS = 6 * 3600
# 30 s doubling to 6 h between tries, 16 tries: the last one comes about 44 hours after the first.
MAX_ATTEMPTS = 16
HOUSEKEEPING_SECONDS = 600


def retry_delay(attempts: int) -> timedelta:
    base = min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), LONGEST_WAIT_SECONDS)
    return timedelta(seconds=base * random.uniform(0.9, 1.1))  # noqa: S311 (jitter, not secrecy)


class DeliveryWorker:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        batch_size: int = 20,
        worker_id: str | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.database = database
        self.settings = settings
        self.batch_size = batch_size
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        # Webhooks connect only to public addresses, checked when connecting (not before), so a
        # name that resolves elsewhere by then is refused too; redirects are never followed.
        self.http = public_only_client(
            resolver=resolver,
            allow_private=settings.webhooks_allow_private_addresses,
            timeout=settings.webhook_timeout_seconds,
        )

    async def run(self, stop: asyncio.Event) -> None:
        log.info("worker_started", worker_id=self.worker_id)
        next_housekeeping = 0.0
        try:
            while not stop.is_set():
                try:
                    if time.monotonic() >= next_housekeeping:
                        await self.housekeeping()
                        next_housekeeping = time.monotonic() + HOUSEKEEPING_SECONDS
                    handled = await self.run_once()
                except Exception as error:
                    if database_unreachable(error):  # waited out, not a bug: no traceback
                        log.warning("worker_database_unreachable", error=repr(error))
                    else:
                        log.exception("worker_batch_failed")
                    handled = 0
                if handled == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.settings.worker_poll_seconds)
        finally:
            await self.http.aclose()
            log.info("worker_stopped", worker_id=self.worker_id)

    async def _sign(self, job: Any) -> None:
        credential_id = job.payload["credential_id"]
        async with self.database.sessions() as session, session.begin():
            view = await CredentialRepository(session).get_view(job.organization_id, credential_id)
            if view is None:
                return  # deleted since: nothing to sign
            await issue_verifiable(session, self.settings, job.organization_id, view)

    async def housekeeping(self) -> None:
        """Forget idempotency keys past their 24 hours, renders nobody asked for lately, and
        expired authorization codes."""
        async with self.database.sessions() as session, session.begin():
            await IdempotencyRepository(session).purge_expired()
            await RenderRepository(session).prune_unused(RENDERS_KEPT_UNUSED)
            await OAuthRepository(session).prune_expired_codes()

    async def run_once(self) -> int:
        """Claim and deliver one batch; returns how many jobs it handled."""
        async with self.database.sessions() as session, session.begin():
            jobs = await OutboxRepository(session).claim_due(
                self.worker_id,
                utc_now(),
                timedelta(seconds=self.settings.worker_lease_seconds),
                self.batch_size,
            )
        remaining = [job.id for job in jobs]
        for job in jobs:
            if job.id not in await self._renew_leases(remaining):
                continue  # its lease ran out and another worker took it: never run it twice
            remaining.remove(job.id)
            await self._deliver(job)
        return len(jobs)

    async def _renew_leases(self, job_ids: list[str]) -> set[str]:
        """Renew the lease of the batch's jobs not yet delivered; those this worker still holds.

        Renewed before each delivery, so a batch slower than one lease keeps its jobs: only a
        single delivery longer than the lease lets another worker take a job meanwhile.
        """
        until = utc_now() + timedelta(seconds=self.settings.worker_lease_seconds)
        async with self.database.sessions() as session, session.begin():
            return await OutboxRepository(session).renew_leases(job_ids, self.worker_id, until)

    async def _deliver(self, job: Any) -> None:
        started = time.perf_counter()
        status_code: int | None = None
        error: str | None = None
        try:
            status_code = await self._send(job)
        except DeliveryFailed as failure:
            error, status_code = str(failure), failure.status_code
        duration_ms = int((time.perf_counter() - started) * 1000)
        attempts = job.attempts + 1
        now = utc_now()
        if error is None:
            settlement = Settlement(JobStatus.delivered, attempts, error, now)
        elif attempts >= MAX_ATTEMPTS:
            settlement = Settlement(JobStatus.dead, attempts, error, now)
        else:
            retry_at = now + retry_delay(attempts)
            settlement = Settlement(JobStatus.pending, attempts, error, now, retry_at)
        async with self.database.sessions() as session, session.begin():
            outbox = OutboxRepository(session)
            await outbox.record_attempt(
                job.id, at=now, status_code=status_code, error=error, duration_ms=duration_ms
            )
            await outbox.finish(job.id, self.worker_id, settlement)
        log.info(
            "delivery",
            job_id=job.id,
            kind=job.kind,
            event_type=job.event_type,
            attempt=attempts,
            outcome=settlement.status,
            status_code=status_code,
            error=error,
        )

    async def _send(self, job: Any) -> int | None:
        if job.kind == JobKind.email:
            await send_email(self.settings, job.payload)
            return None
        if job.kind == JobKind.sign:
            await self._sign(job)
            return None
        if job.kind == JobKind.issue_scheduled:
            async with self.database.sessions() as session, session.begin():
                await issue_scheduled(session, self.settings, job.organization_id, job.payload)
            return None
        if job.kind == JobKind.openedx:
            # Open edX's webhook checks no signature: it reads the event back with its key.
            headers = {"Content-Type": "application/json", "User-Agent": "Laurel-OpenEdx/1"}
            payload = job.payload
            return await post_json(
                self.http, self.settings, payload["url"], payload["body"], headers
            )
        async with self.database.sessions() as session:
            endpoint = await WebhookRepository(session).get_any(job.endpoint_id)
        if endpoint is None:
            raise DeliveryFailed("the webhook endpoint was deleted")
        delivery = WebhookDelivery(
            url=endpoint.url,
            secret=decrypt_secret(self.settings.secret_keys, endpoint.secret_encrypted),
            body=job.payload["body"],
            delivery_id=job.id,
            event_id=job.event_id or job.id,
        )
        return await post_webhook(self.http, self.settings, delivery)
