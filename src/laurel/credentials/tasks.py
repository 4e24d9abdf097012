"""Credential work the delivery worker runs when its outbox job comes due."""

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal
from laurel.config import Settings
from laurel.credentials.service import Credentials
from laurel.organizations.repository import OrganizationRepository


async def issue_scheduled(
    session: AsyncSession, settings: Settings, organization_id: str, payload: dict[str, Any]
) -> bool:
    """Issue and send a scheduled credential (an `issue_scheduled` job); the caller commits.

    Returns whether it issued: False when the credential has moved on since the job was queued.
    """
    organization = await OrganizationRepository(session).get(organization_id)
    if organization is None:
        return False
    # The worker acts for the organization itself, as its issuer.
    principal = Principal(organization_id, organization.plan, token_id="scheduled")  # noqa: S106
    return await Credentials(session, principal, settings).issue_when_due(
        payload["credential_id"], datetime.fromisoformat(payload["scheduled_at"])
    )
