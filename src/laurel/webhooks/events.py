"""Webhook events: which of an organization's endpoints want a change, and the jobs announcing it.

The subscriptions are this package's; the outbox (laurel.delivery.jobs) carries the jobs.
"""

from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.delivery.jobs import enqueue, outbox_job
from laurel.kit.ids import new_id
from laurel.kit.timestamps import format_timestamp, utc_now
from laurel.models import JobKind
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
            outbox_job(organization_id, JobKind.webhook, event_type, {"body": body}, now)
            | {"endpoint_id": endpoint.id, "event_id": event_id}
            for endpoint in subscribers
        ]
    return jobs
