from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.pagination import PageParams, PageResult, paginate
from laurel.kit.timestamps import utc_now
from laurel.models import WebhookEndpoint
from laurel.models.base import table_of

_endpoints = table_of(WebhookEndpoint)


class WebhookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert(self, values: dict[str, Any]) -> None:
        now = utc_now()
        await self.session.execute(
            insert(_endpoints).values(**values, enabled=True, created_at=now, updated_at=now)
        )

    async def get(self, organization_id: str, endpoint_id: str) -> Any:
        statement = select(_endpoints).where(
            _endpoints.c.organization_id == organization_id, _endpoints.c.id == endpoint_id
        )
        return (await self.session.execute(statement)).first()

    async def get_any(self, endpoint_id: str) -> Any:
        return (
            await self.session.execute(select(_endpoints).where(_endpoints.c.id == endpoint_id))
        ).first()

    async def page(self, organization_id: str, params: PageParams) -> PageResult[Any]:
        statement = select(_endpoints).where(_endpoints.c.organization_id == organization_id)
        return await paginate(self.session, statement, _endpoints.c.id, params)

    async def enabled(self, organization_id: str) -> list[Any]:
        """The organization's active endpoints with the events each wants.

        An organization has a handful: callers filter the event lists in Python, which keeps the
        query the same on SQLite and PostgreSQL (their JSON operators differ).
        """
        statement = select(_endpoints.c.id, _endpoints.c.event_types).where(
            _endpoints.c.organization_id == organization_id, _endpoints.c.enabled.is_(True)
        )
        return list((await self.session.execute(statement)).all())

    async def set_secret(self, organization_id: str, endpoint_id: str, encrypted: str) -> None:
        await self.session.execute(
            update(_endpoints)
            .where(_endpoints.c.organization_id == organization_id, _endpoints.c.id == endpoint_id)
            .values(secret_encrypted=encrypted, updated_at=utc_now())
        )

    async def all_sealed_secrets(self) -> list[Any]:
        """Every endpoint's signing secret, sealed (id, secret_encrypted): for re-sealing."""
        statement = select(_endpoints.c.id, _endpoints.c.secret_encrypted).order_by(_endpoints.c.id)
        return list((await self.session.execute(statement)).all())

    async def reseal_secret(self, endpoint_id: str, secret_encrypted: str) -> None:
        """The same secret sealed under another key: not a change anyone sees (no updated_at)."""
        await self.session.execute(
            update(_endpoints)
            .where(_endpoints.c.id == endpoint_id)
            .values(secret_encrypted=secret_encrypted)
        )

    async def delete(self, organization_id: str, endpoint_id: str) -> bool:
        result = await self.session.execute(
            delete(_endpoints).where(
                _endpoints.c.organization_id == organization_id, _endpoints.c.id == endpoint_id
            )
        )
        return bool(getattr(result, "rowcount", 0))
