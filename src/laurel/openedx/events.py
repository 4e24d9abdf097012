"""Template events for Open edX: recorded for `GET events/{id}/`, pushed to its webhook URL.

`groups/service.py` calls `announce_template` for every create, change and delete, in the
change's own transaction, the way `credentials/` tells `webhooks/events.py` about credentials.
Open edX's webhook view has no signature check: it trusts an event by reading it back from the
Credly-shaped API with the organization's key, so the push carries only ids.
"""

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.delivery.jobs import enqueue, outbox_job
from laurel.kit.ids import new_id, uuid_of
from laurel.kit.timestamps import format_timestamp, utc_now
from laurel.models import JobKind
from laurel.openedx.repository import OpenEdxRepository

TEMPLATE_CREATED = "badge_template.created"
TEMPLATE_CHANGED = "badge_template.changed"
TEMPLATE_DELETED = "badge_template.deleted"


def template_description(name: str, organization_name: str) -> str:
    """A template's description, as the signed credential's Achievement words it."""
    return f"{name}, awarded by {organization_name}."


async def announce_template(
    session: AsyncSession, organization_id: str, event_type: str, group_id: str, name: str
) -> None:
    """Record the event, and queue its push when the organization registered a webhook URL."""
    repository = OpenEdxRepository(session)
    now = utc_now()
    event_id = new_id()
    organization_name = await repository.organization_name(organization_id)
    await repository.insert_event(
        {
            "id": event_id,
            "organization_id": organization_id,
            "group_id": group_id,
            "event_type": event_type,
            "name": name,
            "description": template_description(name, organization_name),
            "state": "archived" if event_type == TEMPLATE_DELETED else "active",
            "occurred_at": now,
        }
    )
    url = await repository.webhook_url(organization_id)
    if url is None:
        return
    body = orjson.dumps(
        {
            "id": uuid_of(event_id),
            "organization_id": uuid_of(organization_id),
            "event_type": event_type,
            "occurred_at": format_timestamp(now),
        }
    ).decode()
    job = outbox_job(organization_id, JobKind.openedx, event_type, {"url": url, "body": body}, now)
    await enqueue(session, [job | {"event_id": event_id}])
