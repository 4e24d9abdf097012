"""Outbox jobs: what a change sets off (an email, a signature, a scheduled issue) written in the
change's own transaction.

Nothing here talks to the network. The worker (laurel/worker.py, on the top floor) runs the jobs
after the transaction commits, so a rolled-back change never announces itself and a committed one
always does. Webhook events are built by `laurel.webhooks.events`, which knows the subscriptions.
"""

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.config import Settings
from laurel.delivery.repository import OutboxRepository
from laurel.kit.ids import new_id
from laurel.kit.timestamps import format_timestamp, utc_now
from laurel.models import JobKind, JobStatus


async def enqueue(session: AsyncSession, jobs: list[dict[str, Any]]) -> None:
    """Write the jobs of one change to the outbox in one statement."""
    await OutboxRepository(session).add(jobs)


def email_job(
    settings: Settings,
    organization_id: str,
    message: dict[str, str],
    event_type: str = "credential.sent",
) -> dict[str, Any]:
    job = outbox_job(organization_id, JobKind.email, event_type, message, utc_now())
    if settings.smtp_url is None:
        job["status"] = JobStatus.held
    return job


def signing_job(organization_id: str, credential_id: str) -> dict[str, Any]:
    """Sign an issued credential in the worker: RDF canonicalization costs milliseconds."""
    return outbox_job(
        organization_id,
        JobKind.sign,
        "credential.issued",
        {"credential_id": credential_id},
        utc_now(),
    )


def scheduled_issue_job(
    organization_id: str, credential_id: str, scheduled_at: datetime
) -> dict[str, Any]:
    """Issue and send a scheduled draft at `scheduled_at` (credentials/tasks.py does the work).

    The job carries the moment it was queued for: once the credential is rescheduled,
    unscheduled or issued by hand, the job finds that moment gone and does nothing.
    """
    job = outbox_job(
        organization_id,
        JobKind.issue_scheduled,
        "credential.issued",
        {"credential_id": credential_id, "scheduled_at": format_timestamp(scheduled_at)},
        utc_now(),
    )
    return job | {"next_attempt_at": scheduled_at}


def outbox_job(
    organization_id: str, kind: JobKind, event_type: str, payload: dict[str, Any], now: Any
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "organization_id": organization_id,
        "kind": kind,
        "endpoint_id": None,
        "event_id": None,
        "event_type": event_type,
        "payload": payload,
        "status": JobStatus.pending,
        "attempts": 0,
        "next_attempt_at": now,
        "locked_by": None,
        "locked_until": None,
        "last_error": None,
        "created_at": now,
        "delivered_at": None,
    }
