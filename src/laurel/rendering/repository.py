from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.sql import insert_ignoring_conflicts
from laurel.kit.timestamps import utc_now
from laurel.models import Credential, Design, GroupDesign, RenderedFile
from laurel.models.base import table_of

_files, _designs, _links = table_of(RenderedFile), table_of(Design), table_of(GroupDesign)
_credentials = table_of(Credential)
# Renders nobody asked for in this long are dropped by the worker's housekeeping.
RENDERS_KEPT_UNUSED = timedelta(days=30)
# A cached render is refreshed in `used_at` at most this often, not on every read.
_TOUCH_AFTER = timedelta(hours=1)


class TemplateDesign(NamedTuple):
    """One of a template's designs, as rendering needs it."""

    id: str
    name: str
    type: str
    svg: str


class RenderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def designs_of_group(self, group_id: str) -> list[TemplateDesign]:
        """The template's designs, in the template's order (its `designIds`)."""
        statement = (
            select(_designs.c.id, _designs.c.name, _designs.c.type, _designs.c.svg)
            .join(_links, _links.c.design_id == _designs.c.id)
            .where(_links.c.group_id == group_id)
            .order_by(_links.c.position)
        )
        rows = await self.session.execute(statement)
        return [TemplateDesign(row.id, row.name, row.type, row.svg) for row in rows]

    async def cached(self, content_hash: str) -> tuple[str, bytes] | None:
        statement = select(_files.c.media_type, _files.c.content, _files.c.used_at).where(
            _files.c.content_hash == content_hash
        )
        row = (await self.session.execute(statement)).first()
        if row is None:
            return None
        if row.used_at < utc_now() - _TOUCH_AFTER:
            await self.session.execute(
                update(_files)
                .where(_files.c.content_hash == content_hash)
                .values(used_at=utc_now())
            )
        return row.media_type, row.content

    async def store(self, content_hash: str, media_type: str, content: bytes) -> None:
        now = utc_now()
        # Two processes may render the same thing at once: both results are equal; keep one.
        statement = insert_ignoring_conflicts(self.session, _files, "content_hash")
        await self.session.execute(
            statement,
            [
                {
                    "content_hash": content_hash,
                    "media_type": media_type,
                    "content": content,
                    "created_at": now,
                    "used_at": now,
                }
            ],
        )

    async def prune_unused(self, older_than: timedelta) -> None:
        await self.session.execute(delete(_files).where(_files.c.used_at < utc_now() - older_than))
