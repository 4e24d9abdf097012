"""Credential templates (groups): a name, an ordered list of designs, a learning event URL."""

from collections import Counter
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal
from laurel.designs.repository import DesignRepository
from laurel.groups.repository import GroupRepository
from laurel.groups.schemas import DesignChoice, GroupView
from laurel.kit.errors import NotFound, PaymentRequired, ValidationFailed
from laurel.kit.ids import is_valid_id
from laurel.kit.pagination import PageParams, PageResult
from laurel.models import Group, GroupDesign, Plan

# A free organization may give a template one certificate design and one badge design.
FREE_PLAN_DESIGNS_PER_TYPE = 1


async def create_group(
    session: AsyncSession,
    principal: Principal,
    *,
    name: str,
    designs: Sequence[DesignChoice],
    learning_event_url: str | None,
) -> GroupView:
    links = await _links_for(session, principal, designs)
    group = Group(
        organization_id=principal.organization_id,
        name=name,
        learning_event_url=learning_event_url,
        design_links=links,
    )
    GroupRepository(session).add(group)
    await session.flush()
    return GroupView.of(group)


async def get_group(session: AsyncSession, principal: Principal, group_id: str) -> GroupView:
    view = None
    if is_valid_id(group_id):
        view = await GroupRepository(session).get_view(principal.organization_id, group_id)
    if view is None:
        raise NotFound()
    return view


async def get_group_for_update(session: AsyncSession, principal: Principal, group_id: str) -> Group:
    group = None
    if is_valid_id(group_id):
        group = await GroupRepository(session).get_for_update(principal.organization_id, group_id)
    if group is None:
        raise NotFound()
    return group


async def list_groups(
    session: AsyncSession, principal: Principal, params: PageParams
) -> PageResult[GroupView]:
    return await GroupRepository(session).list_views(principal.organization_id, params)


async def update_group(
    session: AsyncSession,
    principal: Principal,
    group: Group,
    *,
    changes: dict[str, str | None],
    designs: Sequence[DesignChoice] | None,
) -> GroupView:
    """Apply `changes` (name, learning_event_url) and, when given, the new design list."""
    if designs is not None:
        links = await _links_for(session, principal, designs)
        group.design_links.clear()
        await session.flush()
        group.design_links.extend(links)
    for field, value in changes.items():
        setattr(group, field, value)
    await session.flush()
    return GroupView.of(group)


async def delete_group(session: AsyncSession, principal: Principal, group_id: str) -> None:
    deleted = is_valid_id(group_id) and await GroupRepository(session).delete(
        principal.organization_id, group_id
    )
    if not deleted:
        raise NotFound()
    await session.flush()


async def _links_for(
    session: AsyncSession, principal: Principal, choices: Sequence[DesignChoice]
) -> list[GroupDesign]:
    if not choices:
        raise ValidationFailed("designIds: a template needs at least one design", param="designIds")
    seen: set[str] = set()
    for choice in choices:
        if choice.design_id in seen:
            raise ValidationFailed(
                f"{choice.field}: design '{choice.design_id}' is listed twice", param=choice.field
            )
        seen.add(choice.design_id)

    found = await DesignRepository(session).get_many(
        principal.organization_id, [choice.design_id for choice in choices]
    )
    for choice in choices:
        design = found.get(choice.design_id)
        if design is None:
            # Certifier's exact envelope for 404s (no `param`), as its clients expect.
            raise NotFound()
        if choice.required_type is not None and design.type != choice.required_type:
            raise ValidationFailed(
                f"{choice.field}: design '{design.id}' is a {design.type} design, "
                f"not a {choice.required_type} design",
                param=choice.field,
            )

    per_type = Counter(found[choice.design_id].type for choice in choices)
    if principal.plan == Plan.free and any(
        count > FREE_PLAN_DESIGNS_PER_TYPE for count in per_type.values()
    ):
        # Certifier's exact envelope; docs/api.md explains the limit (one design of each type).
        raise PaymentRequired()
    return [
        GroupDesign(position=position, design_id=choice.design_id, design=found[choice.design_id])
        for position, choice in enumerate(choices)
    ]
