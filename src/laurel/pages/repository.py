"""What the public pages read that no other domain's repository answers: a credential by its
public id, with what a visitor may see of its revocation."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.models import Credential
from laurel.models.base import table_of

_credentials = table_of(Credential)


class PublicCredentialRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_public_id(self, public_id: str) -> Any:
        """The credential's ids, state, signed form and revocation, or None."""
        statement = select(
            _credentials.c.id,
            _credentials.c.organization_id,
            _credentials.c.state,
            _credentials.c.verifiable_credential,
            _credentials.c.revoked_at,
            _credentials.c.revocation_reason,
        ).where(_credentials.c.public_id == public_id)
        return (await self.session.execute(statement)).first()
