"""Designs stored as an older Laurel stored them: straight into the table, no checks at save."""

from laurel.db import Database
from laurel.models import Design, DesignType


async def store_unchecked(
    database: Database, organization_id: str, svg: str, kind: DesignType = DesignType.badge
) -> str:
    """A design saved before today's checks (the API would refuse it now); its id."""
    async with database.sessions() as session, session.begin():
        design = Design(organization_id=organization_id, name="Saved long ago", type=kind, svg=svg)
        session.add(design)
        await session.flush()
        return design.id
