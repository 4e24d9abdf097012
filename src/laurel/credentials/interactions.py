"""Interactions caused by visitors of a credential's public links, who hold no token."""

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.credentials.repository import InteractionRepository
from laurel.kit.timestamps import utc_now


async def record_guest_interaction(
    session: AsyncSession, organization_id: str, credential_id: str, event_type: str
) -> None:
    """Record what a visitor did, for the credential's own organization (`triggeredBy: guest`)."""
    await InteractionRepository(session).insert(
        organization_id,
        {
            "credential_id": credential_id,
            "event_type": event_type,
            "triggered_by": "guest",
            "triggered_at": utc_now(),
        },
    )
