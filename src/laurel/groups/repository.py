from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from laurel.groups.schemas import GroupView
from laurel.kit.pagination import PageParams, PageResult, paginate
from laurel.models import Design, DesignType, Group, GroupDesign

# Hot reads are prebuilt statements over the tables themselves (not ORM attributes): that skips
# the ORM's compile and loading steps, which cost more than the query (docs/benchmarks.md).
_groups, _links, _designs = Group.__table__, GroupDesign.__table__, Design.__table__
_GROUP_COLUMNS = (
    _groups.c.id,
    _groups.c.name,
    _groups.c.learning_event_url,
    _groups.c.created_at,
    _groups.c.updated_at,
)

_GROUP_WITH_DESIGNS = (
    select(*_GROUP_COLUMNS, _designs.c.id.label("design_id"), _designs.c.type.label("design_type"))
    .select_from(
        _groups.outerjoin(_links, _links.c.group_id == _groups.c.id).outerjoin(
            _designs, _designs.c.id == _links.c.design_id
        )
    )
    .where(
        _groups.c.organization_id == bindparam("organization_id"),
        _groups.c.id == bindparam("group_id"),
    )
    .order_by(_links.c.position)
)

_DESIGNS_OF_GROUPS = (
    select(_links.c.group_id, _designs.c.id, _designs.c.type)
    .select_from(_links.join(_designs, _designs.c.id == _links.c.design_id))
    .where(_links.c.group_id.in_(bindparam("group_ids", expanding=True)))
    .order_by(_links.c.group_id, _links.c.position)
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
