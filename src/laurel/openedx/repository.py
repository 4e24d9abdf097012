"""All SQL of the Open edX connection: its webhook URL and the template events."""

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.sql import insert_ignoring_conflicts
from laurel.kit.timestamps import utc_now
from laurel.models import BadgeTemplateEvent, OpenEdxConnection, Organization
from laurel.models.base import table_of

_connections = table_of(OpenEdxConnection)
_events = table_of(BadgeTemplateEvent)


class OpenEdxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def webhook_url(self, organization_id: str) -> str | None:
        statement = select(_connections.c.webhook_url).where(
            _connections.c.organization_id == organization_id
        )
        url: str | None = await self.session.scalar(statement)
        return url

    async def set_webhook_url(self, organization_id: str, url: str | None) -> None:
        now = utc_now()
        row = {"organization_id": organization_id, "created_at": now, "updated_at": now}
        await self.session.execute(
            insert_ignoring_conflicts(self.session, _connections, "organization_id"),
            row | {"webhook_url": url},
        )
        await self.session.execute(
            update(_connections)
            .where(_connections.c.organization_id == organization_id)
            .values(webhook_url=url, updated_at=now)
        )

    async def organization_name(self, organization_id: str) -> str:
        statement = select(Organization.name).where(Organization.id == organization_id)
        return str(await self.session.scalar(statement) or "")

    async def insert_event(self, values: dict[str, Any]) -> None:
        await self.session.execute(_events.insert().values(**values))

    async def get_event(self, organization_id: str, event_id: str) -> Any | None:
        statement = select(_events).where(
            _events.c.organization_id == organization_id, _events.c.id == event_id
        )
        return (await self.session.execute(statement)).first()
