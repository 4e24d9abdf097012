"""Interactions caused by visitors of a credential's public links, who hold no token.

Views are the one interaction that comes with every page load, so they are not written by the
request: they are counted in memory (`ViewBuffer`) and written in one statement a second by a
task of the process (`kit.periodic.write_periodically`, started by the app's lifespan), and at
shutdown. A process that dies loses at most its last second of views; downloads, shares and
verifications are written at once.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.credentials.repository import InteractionRepository
from laurel.db import Database
from laurel.kit.timestamps import utc_now

VIEWED = "credential_viewed"
DOWNLOADED = "credential_downloaded"
VERIFIED = "credential_verified"
# The public page's "Add to LinkedIn" records the second; the API also takes the first.
LINKEDIN_ADDS = ("credential_shared_to_linkedin", "credential_added_to_linkedin_profile")


def _guest_row(organization_id: str, credential_id: str, event_type: str) -> dict[str, Any]:
    return {
        "organization_id": organization_id,
        "credential_id": credential_id,
        "event_type": event_type,
        "triggered_by": "guest",
        "triggered_at": utc_now(),
    }


async def record_guest_interaction(
    session: AsyncSession, organization_id: str, credential_id: str, event_type: str
) -> None:
    """Record what a visitor did, for the credential's own organization (`triggeredBy: guest`)."""
    row = _guest_row(organization_id, credential_id, event_type)
    await InteractionRepository(session).insert_many([row])


class ViewBuffer:
    """Views of public pages, kept until the next write (see the module's docstring).

    Bounded: while the database cannot be written, at most `max_rows` views wait, the oldest
    dropped first.
    """

    def __init__(self, max_rows: int = 100_000) -> None:
        self._rows: list[dict[str, Any]] = []
        self._max_rows = max_rows

    def add(self, organization_id: str, credential_id: str) -> None:
        self._rows.append(_guest_row(organization_id, credential_id, VIEWED))
        if len(self._rows) > self._max_rows:
            del self._rows[: len(self._rows) - self._max_rows]

    async def write(self, database: Database) -> int:
        """Write the views counted so far (of credentials that still exist); how many."""
        rows, self._rows = self._rows, []
        if not rows:
            return 0
        try:
            async with database.sessions() as session, session.begin():
                return await InteractionRepository(session).insert_many_for_existing(rows)
        except BaseException:
            self._rows[:0] = rows[-self._max_rows :]  # kept for the next write
            raise
