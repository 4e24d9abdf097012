from collections.abc import Sequence

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.models import Organization
from laurel.models.base import table_of

# Read on every credential sent: built once, over the table (no ORM compile or loading).
_organizations = table_of(Organization)
_NAME_AND_LOGO = select(_organizations.c.name, _organizations.c.issuer_image).where(
    _organizations.c.id == bindparam("id")
)


class OrganizationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def name_and_logo(self, organization_id: str) -> tuple[str, str | None] | None:
        """What an email from the organization shows of it: its name and its issuer image."""
        row = (await self.session.execute(_NAME_AND_LOGO, {"id": organization_id})).first()
        return None if row is None else (row.name, row.issuer_image)

    async def get(self, organization_id: str) -> Organization | None:
        return await self.session.get(Organization, organization_id)

    def add(self, organization: Organization) -> None:
        self.session.add(organization)

    async def list_all(self) -> Sequence[Organization]:
        return (await self.session.scalars(select(Organization).order_by(Organization.id))).all()

    async def count(self) -> int:
        return (await self.session.scalar(select(func.count()).select_from(Organization))) or 0
