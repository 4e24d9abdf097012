"""Designs: the SVG templates certificates and badges are rendered from."""

import asyncio
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal
from laurel.designs.repository import DesignRepository
from laurel.designs.schemas import DesignCreate, DesignUpdate
from laurel.designs.svg import validate_svg
from laurel.kit.errors import Conflict, found_by_id
from laurel.kit.pagination import PageParams, PageResult
from laurel.kit.updates import refuse_nulls
from laurel.models import Design, DesignType


async def _validate(svg: str, design_type: DesignType) -> None:
    """The checks at save, off the event loop: a large design's CSS takes a while to parse."""
    await asyncio.to_thread(
        validate_svg, svg, requires_recipient_name=design_type == DesignType.certificate
    )


async def check_design(svg: str, design_type: DesignType) -> None:
    """The checks a design must pass to be saved, without saving it (the designer's preview)."""
    await _validate(svg, design_type)


async def create_design(session: AsyncSession, principal: Principal, data: DesignCreate) -> Design:
    await _validate(data.svg, data.type)
    design = Design(
        organization_id=principal.organization_id, name=data.name, type=data.type, svg=data.svg
    )
    DesignRepository(session).add(design)
    await session.flush()
    return design


async def get_design(session: AsyncSession, principal: Principal, design_id: str) -> Design:
    repository = DesignRepository(session)
    return await found_by_id(partial(repository.get, principal.organization_id), design_id)


async def list_designs(
    session: AsyncSession, principal: Principal, params: PageParams
) -> PageResult[Design]:
    return await DesignRepository(session).list_page(principal.organization_id, params)


async def update_design(
    session: AsyncSession, principal: Principal, design_id: str, changes: DesignUpdate
) -> Design:
    design = await get_design(session, principal, design_id)
    refuse_nulls(changes)
    sent = changes.model_fields_set
    new_type = changes.type if "type" in sent and changes.type else design.type
    if new_type != design.type and await DesignRepository(session).is_used_by_a_group(design.id):
        raise Conflict("The design's type cannot change while a credential template uses it")
    if "svg" in sent or new_type != design.type:
        svg = changes.svg if changes.svg is not None else design.svg
        await _validate(svg, new_type)
    for field in sent:
        setattr(design, field, getattr(changes, field))
    await session.flush()
    return design


async def delete_design(session: AsyncSession, principal: Principal, design_id: str) -> None:
    design = await get_design(session, principal, design_id)
    repository = DesignRepository(session)
    if await repository.is_used_by_a_group(design.id):
        raise Conflict("The design is used by a credential template; detach it first")
    await repository.delete(design)
    await session.flush()
