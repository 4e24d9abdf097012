"""Credential templates (groups): a name, an ordered list of designs, a learning event URL, and
Laurel's own fields (description, criteria, expiry rule) that Certifier's API does not carry."""

from collections import Counter
from collections.abc import Sequence
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal
from laurel.designs.repository import DesignRepository
from laurel.email_templates.service import require_template
from laurel.groups.expiry import MAX_AMOUNT
from laurel.groups.repository import GroupRepository, extension_columns
from laurel.groups.schemas import (
    MAX_CRITERIA,
    MAX_DESCRIPTION,
    DesignChoice,
    GroupView,
    TemplateExtensions,
)
from laurel.kit.errors import Conflict, NotFound, PaymentRequired, ValidationFailed, found_by_id
from laurel.kit.pagination import PageParams, PageResult
from laurel.models import DesignType, Plan
from laurel.openedx.events import (
    TEMPLATE_CHANGED,
    TEMPLATE_CREATED,
    TEMPLATE_DELETED,
    announce_template,
)

# A free organization may give a template one certificate design and one badge design.
FREE_PLAN_DESIGNS_PER_TYPE = 1


async def create_group(
    session: AsyncSession,
    principal: Principal,
    *,
    name: str,
    designs: Sequence[DesignChoice],
    learning_event_url: str | None,
    email_template_id: str | None,
) -> GroupView:
    resolved = await _resolve_designs(session, principal, designs)
    if email_template_id is not None:
        await require_template(session, principal.organization_id, email_template_id)
    group = await GroupRepository(session).insert(
        principal.organization_id,
        name=name,
        learning_event_url=learning_event_url,
        designs=resolved,
        email_template_id=email_template_id,
        extensions=TemplateExtensions(),
    )
    await announce_template(
        session, principal.organization_id, TEMPLATE_CREATED, group.id, group.name
    )
    return group


async def get_group(session: AsyncSession, principal: Principal, group_id: str) -> GroupView:
    repository = GroupRepository(session)
    return await found_by_id(partial(repository.get_view, principal.organization_id), group_id)


async def list_groups(
    session: AsyncSession, principal: Principal, params: PageParams
) -> PageResult[GroupView]:
    return await GroupRepository(session).list_views(principal.organization_id, params)


async def update_group(
    session: AsyncSession,
    principal: Principal,
    group: GroupView,
    *,
    changes: dict[str, str | None],
    designs: Sequence[DesignChoice] | None,
) -> GroupView:
    """Apply `changes` (name, learning_event_url, email_template_id) and, when given, the new
    design list."""
    resolved = None if designs is None else await _resolve_designs(session, principal, designs)
    email_template_id = changes.get("email_template_id")
    if email_template_id is not None:
        await require_template(session, principal.organization_id, email_template_id)
    repository = GroupRepository(session)
    await repository.update(principal.organization_id, group.id, changes=changes, designs=resolved)
    updated = await get_group(session, principal, group.id)
    await announce_template(
        session, principal.organization_id, TEMPLATE_CHANGED, updated.id, updated.name
    )
    return updated


async def set_extensions(
    session: AsyncSession, principal: Principal, group: GroupView, extensions: TemplateExtensions
) -> GroupView:
    """Set the template's Laurel-only fields (the web app's; the Certifier API has no place for
    them). Blank text is stored as None, so the signed credential falls back to its sentences."""
    extensions = check_extensions(extensions)
    repository = GroupRepository(session)
    changes = extension_columns(extensions)
    await repository.update(principal.organization_id, group.id, changes=changes, designs=None)
    return await get_group(session, principal, group.id)


def check_extensions(extensions: TemplateExtensions) -> TemplateExtensions:
    """The fields as stored (blank text is None), or ValidationFailed naming the one that is
    wrong; a form checks them before its first write, so a bad one writes nothing."""
    description = (extensions.description or "").strip() or None
    criteria = (extensions.criteria or "").strip() or None
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(
            f"description: at most {MAX_DESCRIPTION} characters", param="description"
        )
    if criteria is not None and len(criteria) > MAX_CRITERIA:
        raise ValidationFailed(f"criteria: at most {MAX_CRITERIA} characters", param="criteria")
    expiry = extensions.expiry
    if expiry is not None and not 1 <= expiry.amount <= MAX_AMOUNT[expiry.unit]:
        raise ValidationFailed(
            f"expiryAmount: 1 to {MAX_AMOUNT[expiry.unit]} {expiry.unit.value}",
            param="expiryAmount",
        )
    return TemplateExtensions(description, criteria, expiry)


async def delete_group(session: AsyncSession, principal: Principal, group_id: str) -> None:
    group = await get_group(session, principal, group_id)
    if not await GroupRepository(session).delete(principal.organization_id, group.id):
        raise Conflict("The credential template has credentials; delete them first")
    await announce_template(
        session, principal.organization_id, TEMPLATE_DELETED, group.id, group.name
    )


async def _resolve_designs(
    session: AsyncSession, principal: Principal, choices: Sequence[DesignChoice]
) -> list[tuple[str, DesignType]]:
    """The chosen designs' ids and types, in order, once every rule about them holds."""
    if not choices:
        raise ValidationFailed("designIds: a template needs at least one design", param="designIds")
    seen: set[str] = set()
    for choice in choices:
        if choice.design_id in seen:
            raise ValidationFailed(
                f"{choice.field}: design '{choice.design_id}' is listed twice", param=choice.field
            )
        seen.add(choice.design_id)

    types = await DesignRepository(session).types_of(
        principal.organization_id, [choice.design_id for choice in choices]
    )
    for choice in choices:
        design_type = types.get(choice.design_id)
        if design_type is None:
            # Certifier's exact envelope for 404s (no `param`), as its clients expect.
            raise NotFound()
        if choice.required_type is not None and design_type != choice.required_type:
            raise ValidationFailed(
                f"{choice.field}: design '{choice.design_id}' is a {design_type} design, "
                f"not a {choice.required_type} design",
                param=choice.field,
            )

    per_type = Counter(types[choice.design_id] for choice in choices)
    if principal.plan == Plan.free and any(
        count > FREE_PLAN_DESIGNS_PER_TYPE for count in per_type.values()
    ):
        # Certifier's exact envelope; docs/api.md explains the limit (one design of each type).
        raise PaymentRequired()
    return [(choice.design_id, types[choice.design_id]) for choice in choices]
