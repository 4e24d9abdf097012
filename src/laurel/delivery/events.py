"""Announcing changes: webhook events and emails become outbox jobs in the change's transaction.

Nothing here talks to the network. The worker (delivery/worker.py) delivers the jobs after the
transaction commits, so a rolled-back change never announces itself and a committed one always
does.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.config import Settings
from laurel.delivery.repository import OutboxRepository
from laurel.kit.ids import new_id
from laurel.kit.timestamps import format_timestamp, utc_now
from laurel.models import JobKind, JobStatus
from laurel.webhooks.repository import WebhookRepository


async def publish_credential_events(
    session: AsyncSession,
    organization_id: str,
    event_types: list[str],
    credential: dict[str, Any],
) -> None:
    """Queue one delivery of each event to each endpoint subscribed to it."""
    await enqueue(
        session,
        await credential_event_jobs_for(session, organization_id, event_types, lambda: credential),
    )


async def credential_event_jobs_for(
    session: AsyncSession,
    organization_id: str,
    event_types: list[str],
    credential: Callable[[], dict[str, Any]],
) -> list[dict[str, Any]]:
    """The jobs announcing these events to the organization's subscribed endpoints.

    `credential` makes the event's body, and is called only when some endpoint wants an event:
    most organizations have none, and the body costs a full serialization.
    """
    endpoints = await WebhookRepository(session).enabled(organization_id)
    if not any(event in endpoint.event_types for endpoint in endpoints for event in event_types):
        return []
    return credential_event_jobs(endpoints, organization_id, event_types, credential())


async def enqueue(session: AsyncSession, jobs: list[dict[str, Any]]) -> None:
    """Write the jobs of one change to the outbox in one statement."""
    await OutboxRepository(session).add(jobs)


def credential_event_jobs(
    endpoints: list[Any], organization_id: str, event_types: list[str], credential: dict[str, Any]
) -> list[dict[str, Any]]:
    """The outbox jobs announcing these events to the endpoints (from `enabled`) that want them."""
    jobs = []
    now = utc_now()
    for event_type in event_types:
        subscribers = [endpoint for endpoint in endpoints if event_type in endpoint.event_types]
        if not subscribers:
            continue
        event_id = new_id()
        body = orjson.dumps(
            {
                "id": event_id,
                "type": event_type,
                "createdAt": format_timestamp(now),
                "data": {
                    "resource": {"id": credential["id"], "type": "credential"},
                    "credential": credential,
                },
            }
        ).decode()
        jobs += [
            _job(organization_id, JobKind.webhook, event_type, {"body": body}, now)
            | {"endpoint_id": endpoint.id, "event_id": event_id}
            for endpoint in subscribers
        ]
    return jobs


def email_job(
    settings: Settings,
    organization_id: str,
    message: dict[str, str],
    event_type: str = "credential.sent",
) -> dict[str, Any]:
    job = _job(organization_id, JobKind.email, event_type, message, utc_now())
    if settings.smtp_url is None:
        job["status"] = JobStatus.held
    return job


def signing_job(organization_id: str, credential_id: str) -> dict[str, Any]:
    """Sign an issued credential in the worker: RDF canonicalization costs milliseconds."""
    return _job(
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
    job = _job(
        organization_id,
        JobKind.issue_scheduled,
        "credential.issued",
        {"credential_id": credential_id, "scheduled_at": format_timestamp(scheduled_at)},
        utc_now(),
    )
    return job | {"next_attempt_at": scheduled_at}


def _job(
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
