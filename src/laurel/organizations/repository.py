from collections.abc import Sequence

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.models import Organization
from laurel.models.base import table_of

# Read on every credential sent: built once, over the table (no ORM compile or loading).
_organizations = table_of(Organization)
_NAME_OF = select(_organizations.c.name).where(_organizations.c.id == bindparam("id"))


class OrganizationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def name_of(self, organization_id: str) -> str | None:
        return await self.session.scalar(_NAME_OF, {"id": organization_id})

    async def get(self, organization_id: str) -> Organization | None:
        return await self.session.get(Organization, organization_id)

    def add(self, organization: Organization) -> None:
        self.session.add(organization)

    async def list_all(self) -> Sequence[Organization]:
        return (await self.session.scalars(select(Organization).order_by(Organization.id))).all()

    async def count(self) -> int:
        return (await self.session.scalar(select(func.count()).select_from(Organization))) or 0
