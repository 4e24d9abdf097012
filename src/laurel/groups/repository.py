from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.db import committed_reads
from laurel.groups.expiry import ExpiryRule, ExpiryUnit
from laurel.groups.schemas import GroupView, TemplateExtensions
from laurel.kit.ids import new_id
from laurel.kit.pagination import PageParams, PageResult, paginate
from laurel.kit.timestamps import utc_now
from laurel.models import Design, DesignType, Group, GroupDesign
from laurel.models.base import table_of

# Templates are read and written with Core statements over the tables (not the ORM's unit of work
# and loaders): on the hottest routes the ORM's steps cost more than the SQL (docs/benchmarks.md).
_groups, _links, _designs = table_of(Group), table_of(GroupDesign), table_of(Design)
_GROUP_COLUMNS = (
    _groups.c.id,
    _groups.c.name,
    _groups.c.learning_event_url,
    _groups.c.email_template_id,
    _groups.c.description,
    _groups.c.criteria,
    _groups.c.expiry_amount,
    _groups.c.expiry_unit,
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

_INSERT_GROUP = insert(_groups)
_INSERT_LINKS = insert(_links)

_DESIGNS_OF_GROUPS = (
    select(_links.c.group_id, _designs.c.id, _designs.c.type)
    .select_from(_links.join(_designs, _designs.c.id == _links.c.design_id))
    .where(_links.c.group_id.in_(bindparam("group_ids", expanding=True)))
    .order_by(_links.c.group_id, _links.c.position)
)


def _view(row: Any, designs: list[tuple[str, DesignType]]) -> GroupView:
    return GroupView(
        row.id,
        row.name,
        row.learning_event_url,
        row.created_at,
        row.updated_at,
        designs,
        row.email_template_id,
        _extensions(row),
    )


def _extensions(row: Any) -> TemplateExtensions:
    expiry = (
        ExpiryRule(row.expiry_amount, ExpiryUnit(row.expiry_unit))
        if row.expiry_amount is not None and row.expiry_unit is not None
        else None
    )
    return TemplateExtensions(row.description, row.criteria, expiry)


def extension_columns(extensions: TemplateExtensions) -> dict[str, Any]:
    """The columns that store a template's Laurel-only fields."""
    expiry = extensions.expiry
    return {
        "description": extensions.description,
        "criteria": extensions.criteria,
        "expiry_amount": expiry.amount if expiry is not None else None,
        "expiry_unit": expiry.unit.value if expiry is not None else None,
    }


class GroupRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_view(self, organization_id: str, group_id: str) -> GroupView | None:
        # Templates are read far more often than they change: kept until the next commit.
        return await committed_reads(self.session).read(
            self.session,
            ("group", organization_id, group_id),
            lambda: self._read_view(organization_id, group_id),
        )

    async def _read_view(self, organization_id: str, group_id: str) -> GroupView | None:
        rows = (
            await self.session.execute(
                _GROUP_WITH_DESIGNS, {"organization_id": organization_id, "group_id": group_id}
            )
        ).all()
        if not rows:
            return None
        designs = [(row.design_id, DesignType(row.design_type)) for row in rows if row.design_id]
        return _view(rows[0], designs)

    async def organization_of(self, group_id: str) -> str | None:
        statement = select(_groups.c.organization_id).where(_groups.c.id == group_id)
        return await self.session.scalar(statement)

    async def list_views(self, organization_id: str, params: PageParams) -> PageResult[GroupView]:
        statement = select(*_GROUP_COLUMNS).where(_groups.c.organization_id == organization_id)
        page = await paginate(self.session, statement, _groups.c.id, params)
        designs: dict[str, list[tuple[str, DesignType]]] = {row.id: [] for row in page.rows}
        if designs:
            links = await self.session.execute(_DESIGNS_OF_GROUPS, {"group_ids": list(designs)})
            for group_id, design_id, design_type in links:
                designs[group_id].append((design_id, DesignType(design_type)))
        views = [_view(row, designs[row.id]) for row in page.rows]
        return PageResult(views, page.prev, page.next)

    async def insert(
        self,
        organization_id: str,
        *,
        name: str,
        learning_event_url: str | None,
        designs: list[tuple[str, DesignType]],
        email_template_id: str | None,
        extensions: TemplateExtensions,
    ) -> GroupView:
        now = utc_now()
        view = GroupView(
            new_id(), name, learning_event_url, now, now, designs, email_template_id, extensions
        )
        await self.session.execute(
            _INSERT_GROUP,
            {
                "id": view.id,
                "organization_id": organization_id,
                "name": name,
                "learning_event_url": learning_event_url,
                "email_template_id": email_template_id,
                **extension_columns(extensions),
                "created_at": now,
                "updated_at": now,
            },
        )
        await self._insert_links(view.id, designs)
        return view

    async def update(
        self,
        organization_id: str,
        group_id: str,
        *,
        changes: dict[str, Any],
        designs: list[tuple[str, DesignType]] | None,
    ) -> None:
        await self.session.execute(
            update(_groups)
            .where(_groups.c.organization_id == organization_id, _groups.c.id == group_id)
            .values(**changes, updated_at=utc_now())
        )
        if designs is not None:
            await self.session.execute(delete(_links).where(_links.c.group_id == group_id))
            await self._insert_links(group_id, designs)

    async def delete(self, organization_id: str, group_id: str) -> bool:
        """Delete a template; False when its credentials hold on to it (the foreign key says so:
        RESTRICT on credentials.group_id), and then nothing is deleted."""
        statement = delete(_groups).where(
            _groups.c.organization_id == organization_id, _groups.c.id == group_id
        )
        try:
            async with self.session.begin_nested():
                await self.session.execute(statement)
        except IntegrityError:
            return False
        return True

    async def _insert_links(self, group_id: str, designs: list[tuple[str, DesignType]]) -> None:
        await self.session.execute(
            _INSERT_LINKS,
            [
                {"group_id": group_id, "position": position, "design_id": design_id}
                for position, (design_id, _) in enumerate(designs)
            ],
        )
