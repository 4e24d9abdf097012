from collections.abc import Sequence

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.pagination import PageParams, PageResult, paginate
from laurel.models import Design, DesignType, GroupDesign
from laurel.models.base import table_of

_designs = table_of(Design)
# Built once: on POST /v1/groups building the statement cost more than running it.
_TYPES_OF = select(_designs.c.id, _designs.c.type).where(
    _designs.c.organization_id == bindparam("organization_id"),
    _designs.c.id.in_(bindparam("design_ids", expanding=True)),
)


class DesignRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _of_organization(self, organization_id: str) -> Select[Design]:
        return select(Design).where(Design.organization_id == organization_id)

    async def get(self, organization_id: str, design_id: str) -> Design | None:
        return await self.session.scalar(
            self._of_organization(organization_id).where(Design.id == design_id)
        )

    async def types_of(
        self, organization_id: str, design_ids: Sequence[str]
    ) -> dict[str, DesignType]:
        """The type of each of these designs that the organization has (and nothing else)."""
        parameters = {"organization_id": organization_id, "design_ids": list(set(design_ids))}
        rows = await self.session.execute(_TYPES_OF, parameters)
        return {row.id: DesignType(row.type) for row in rows}

    async def list_page(self, organization_id: str, params: PageParams) -> PageResult[Design]:
        return await paginate(
            self.session, self._of_organization(organization_id), Design.id, params
        )

    def add(self, design: Design) -> None:
        self.session.add(design)

    async def delete(self, design: Design) -> None:
        await self.session.delete(design)

    async def is_used_by_a_group(self, design_id: str) -> bool:
        statement = select(GroupDesign.group_id).where(GroupDesign.design_id == design_id).limit(1)
        return (await self.session.scalar(statement)) is not None
