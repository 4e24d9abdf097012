from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from laurel.groups.schemas import GroupView
from laurel.kit.pagination import PageParams, PageResult, paginate
from laurel.models import Design, DesignType, Group, GroupDesign

_GROUP_COLUMNS = (
    Group.id,
    Group.name,
    Group.learning_event_url,
    Group.created_at,
    Group.updated_at,
)

# Reads use prebuilt Core statements: the ORM's loader machinery cost several times the query
# itself on the hottest route (see docs/benchmarks.md).
_GROUP_WITH_DESIGNS = (
    select(*_GROUP_COLUMNS, Design.id.label("design_id"), Design.type.label("design_type"))
    .outerjoin(GroupDesign, GroupDesign.group_id == Group.id)
    .outerjoin(Design, Design.id == GroupDesign.design_id)
    .where(Group.organization_id == bindparam("organization_id"), Group.id == bindparam("group_id"))
    .order_by(GroupDesign.position)
)

_DESIGNS_OF_GROUPS = (
    select(GroupDesign.group_id, Design.id, Design.type)
    .join(Design, Design.id == GroupDesign.design_id)
    .where(GroupDesign.group_id.in_(bindparam("group_ids", expanding=True)))
    .order_by(GroupDesign.group_id, GroupDesign.position)
)


def _view(row: Any, designs: list[tuple[str, DesignType]]) -> GroupView:
    return GroupView(
        row.id, row.name, row.learning_event_url, row.created_at, row.updated_at, designs
    )


class GroupRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_view(self, organization_id: str, group_id: str) -> GroupView | None:
        rows = (
            await self.session.execute(
                _GROUP_WITH_DESIGNS, {"organization_id": organization_id, "group_id": group_id}
            )
        ).all()
        if not rows:
            return None
        designs = [(row.design_id, DesignType(row.design_type)) for row in rows if row.design_id]
        return _view(rows[0], designs)

    async def list_views(self, organization_id: str, params: PageParams) -> PageResult[GroupView]:
        statement = select(*_GROUP_COLUMNS).where(Group.organization_id == organization_id)
        page = await paginate(self.session, statement, Group.id, params)
        designs: dict[str, list[tuple[str, DesignType]]] = {row.id: [] for row in page.rows}
        if designs:
            links = await self.session.execute(_DESIGNS_OF_GROUPS, {"group_ids": list(designs)})
            for group_id, design_id, design_type in links:
                designs[group_id].append((design_id, DesignType(design_type)))
        views = [_view(row, designs[row.id]) for row in page.rows]
        return PageResult(views, page.prev, page.next)

    async def get_for_update(self, organization_id: str, group_id: str) -> Group | None:
        statement = (
            select(Group)
            .where(Group.organization_id == organization_id, Group.id == group_id)
            .options(selectinload(Group.design_links).joinedload(GroupDesign.design))
        )
        return await self.session.scalar(statement)

    def add(self, group: Group) -> None:
        self.session.add(group)

    async def delete(self, organization_id: str, group_id: str) -> bool:
        group = await self.session.scalar(
            select(Group).where(Group.organization_id == organization_id, Group.id == group_id)
        )
        if group is None:
            return False
        await self.session.delete(group)
        return True
