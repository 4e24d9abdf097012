"""The design gallery: Laurel's starter designs, for every organization to preview and copy.

Starters are package data, not rows: the same for every organization and every process. A
copy is an ordinary design of the organization, made by the designs service, so it is checked,
listed and edited like any other.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal
from laurel.config import Settings
from laurel.designs import service as designs
from laurel.designs.schemas import DesignCreate
from laurel.gallery.schemas import StarterRead
from laurel.gallery.starters import STARTERS, Starter, find_starter
from laurel.kit.errors import found
from laurel.links import PublicLinks
from laurel.models import Design
from laurel.rendering import service as rendering
from laurel.rendering.formats import Format
from laurel.rendering.pool import RenderPool
from laurel.rendering.service import Rendered


def _read(starter: Starter, settings: Settings) -> StarterRead:
    return StarterRead.of(starter, PublicLinks.of(settings).starter_preview(starter.id))


def list_starters(settings: Settings) -> list[StarterRead]:
    return [_read(starter, settings) for starter in STARTERS]


def get_starter(settings: Settings, starter_id: str) -> StarterRead:
    return _read(found(find_starter(starter_id)), settings)


async def copy_starter(
    session: AsyncSession, principal: Principal, starter_id: str, name: str | None
) -> Design:
    """A new design of the organization, starting out as the starter."""
    starter = found(find_starter(starter_id))
    data = DesignCreate(name=name or starter.name, type=starter.type, svg=starter.svg)
    return await designs.create_design(session, principal, data)


async def preview_starter(
    session: AsyncSession,
    settings: Settings,
    renderer: RenderPool,
    starter_id: str,
    fmt: Format,
) -> Rendered:
    """The starter drawn with the same sample values as a design's preview."""
    starter = found(find_starter(starter_id))
    job = rendering.sample_job(settings, starter.svg, fmt)
    return await rendering.render_cached(session, renderer, job, design_id=f"gallery:{starter.id}")


async def copy_starters(session: AsyncSession, principal: Principal) -> dict[str, Design]:
    """A copy of every starter in the organization's designs, by starter id."""
    return {
        starter.id: await copy_starter(session, principal, starter.id, None) for starter in STARTERS
    }
