"""All SQL of the Credly-shaped API: templates by page, badges by key, their state."""

from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.ids import new_id
from laurel.kit.sql import insert_ignoring_conflicts
from laurel.models import Credential, CredentialInteraction, CredlyBadge, Group, Organization
from laurel.models.base import table_of

_badges = table_of(CredlyBadge)
_credentials = table_of(Credential)
_groups = table_of(Group)
_interactions = table_of(CredentialInteraction)
_organizations = table_of(Organization)

ACCEPTED_EVENT = "credential_viewed"


class CredlyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def organization(self, organization_id: str) -> Any | None:
        statement = select(_organizations).where(_organizations.c.id == organization_id)
        return (await self.session.execute(statement)).first()

    async def count_templates(self, organization_id: str) -> int:
        statement = select(func.count()).where(_groups.c.organization_id == organization_id)
        return int(await self.session.scalar(statement) or 0)

    async def templates(self, organization_id: str, offset: int, limit: int) -> list[Any]:
        statement = (
            select(_groups.c.id, _groups.c.name)
            .where(_groups.c.organization_id == organization_id)
            .order_by(_groups.c.id)
            .offset(offset)
            .limit(limit)
        )
        return list((await self.session.execute(statement)).all())

    async def lock_template(self, organization_id: str, group_id: str) -> Any | None:
        """The template, locked until the transaction ends (PostgreSQL): a delete racing an
        award waits, then finds the award's credential and is refused."""
        statement = (
            select(_groups.c.id, _groups.c.name)
            .where(_groups.c.organization_id == organization_id, _groups.c.id == group_id)
            .with_for_update()
        )
        return (await self.session.execute(statement)).first()

    async def claim(self, organization_id: str, group_id: str, email: str) -> str | None:
        """Claim the (template, email) key for a new badge; None when a badge holds it already.

        On PostgreSQL a claim racing another waits for it to commit, then yields to it.
        """
        row = {
            "id": new_id(),
            "organization_id": organization_id,
            "group_id": group_id,
            "recipient_email": email,
            "credential_id": None,
        }
        statement = insert_ignoring_conflicts(
            self.session, _badges, "organization_id", "group_id", "recipient_email"
        ).returning(_badges.c.id)
        claimed: str | None = (await self.session.execute(statement, row)).scalar()
        return claimed

    async def settle(self, claim_id: str, credential_id: str) -> None:
        await self.session.execute(
            update(_badges).where(_badges.c.id == claim_id).values(credential_id=credential_id)
        )

    async def credential_of(self, organization_id: str, group_id: str, email: str) -> str | None:
        statement = select(_badges.c.credential_id).where(
            _badges.c.organization_id == organization_id,
            _badges.c.group_id == group_id,
            _badges.c.recipient_email == email,
        )
        credential_id: str | None = await self.session.scalar(statement)
        return credential_id

    async def badge(
        self,
        organization_id: str,
        *,
        credential_id: str | None = None,
        public_id: str | None = None,
    ) -> Any | None:
        """A credential as a badge: its ids, recipient, dates, revocation, whether viewed."""
        viewed = exists().where(
            _interactions.c.credential_id == _credentials.c.id,
            _interactions.c.event_type == ACCEPTED_EVENT,
        )
        accepted_at = (
            select(func.min(_interactions.c.triggered_at))
            .where(
                _interactions.c.credential_id == _credentials.c.id,
                _interactions.c.event_type == ACCEPTED_EVENT,
            )
            .scalar_subquery()
        )
        statement = (
            select(
                _credentials.c.id,
                _credentials.c.public_id,
                _credentials.c.group_id,
                _credentials.c.recipient_name,
                _credentials.c.recipient_email,
                _credentials.c.issue_date,
                _credentials.c.created_at,
                _credentials.c.revoked_at,
                _credentials.c.revocation_reason,
                _groups.c.name.label("group_name"),
                viewed.label("viewed"),
                accepted_at.label("accepted_at"),
            )
            .join(_groups, _groups.c.id == _credentials.c.group_id)
            .where(_credentials.c.organization_id == organization_id)
        )
        if credential_id is not None:
            statement = statement.where(_credentials.c.id == credential_id)
        if public_id is not None:
            statement = statement.where(_credentials.c.public_id == public_id)
        return (await self.session.execute(statement)).first()
