from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.ids import new_id
from laurel.kit.timestamps import utc_now
from laurel.models import Attribute
from laurel.models.base import table_of

_attributes = table_of(Attribute)
_CUSTOM_DEFAULTS = select(_attributes.c.tag, _attributes.c.default_value).where(
    _attributes.c.organization_id == bindparam("organization_id")
)


class AttributeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def custom_defaults(self, organization_id: str) -> dict[str, str | None]:
        rows = await self.session.execute(_CUSTOM_DEFAULTS, {"organization_id": organization_id})
        return {row.tag: row.default_value for row in rows}

    async def list_custom(self, organization_id: str) -> list[Any]:
        statement = (
            select(_attributes)
            .where(_attributes.c.organization_id == organization_id)
            .order_by(_attributes.c.tag)
        )
        return list((await self.session.execute(statement)).all())

    async def insert(
        self, organization_id: str, tag: str, name: str, default: str | None
    ) -> SimpleNamespace:
        now = utc_now()
        row = SimpleNamespace(
            id=new_id(),
            organization_id=organization_id,
            tag=tag,
            name=name,
            default_value=default,
            created_at=now,
            updated_at=now,
        )
        await self.session.execute(insert(_attributes).values(**vars(row)))
        return row
