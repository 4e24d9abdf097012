from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.models import Organization


class OrganizationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def name_of(self, organization_id: str) -> str | None:
        statement = select(Organization.name).where(Organization.id == organization_id)
        return await self.session.scalar(statement)

    async def get(self, organization_id: str) -> Organization | None:
        return await self.session.get(Organization, organization_id)

    def add(self, organization: Organization) -> None:
        self.session.add(organization)

    async def list_all(self) -> Sequence[Organization]:
        return (await self.session.scalars(select(Organization).order_by(Organization.id))).all()

    async def count(self) -> int:
        return (await self.session.scalar(select(func.count()).select_from(Organization))) or 0
