from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.timestamps import utc_now
from laurel.models import AccessToken, Organization, Plan
from laurel.models.base import table_of

# Run whenever a token is not in the principal cache: a prebuilt statement over the tables,
# which skips the ORM's compile and loading steps.
_tokens, _organizations = table_of(AccessToken), table_of(Organization)
_ACTIVE_TOKEN_BY_HASH = (
    select(_tokens.c.id, _tokens.c.organization_id, _organizations.c.plan)
    .select_from(_tokens.join(_organizations, _organizations.c.id == _tokens.c.organization_id))
    .where(_tokens.c.token_hash == bindparam("token_hash"), _tokens.c.revoked_at.is_(None))
)


class AccessTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_active_by_hash(self, token_hash: str) -> Row[str, str, Plan] | None:
        """The token's id, organization id and the organization's plan, if it is active."""
        result = await self.session.execute(_ACTIVE_TOKEN_BY_HASH, {"token_hash": token_hash})
        return result.first()

    def add(self, token: AccessToken) -> None:
        self.session.add(token)

    async def list_for_organization(self, organization_id: str) -> Sequence[AccessToken]:
        statement = (
            select(AccessToken)
            .where(AccessToken.organization_id == organization_id)
            .order_by(AccessToken.id)
        )
        return (await self.session.scalars(statement)).all()

    async def revoke(self, token_id: str) -> bool:
        statement = (
            update(AccessToken)
            .where(AccessToken.id == token_id, AccessToken.revoked_at.is_(None))
            .values(revoked_at=utc_now())
        )
        result = await self.session.execute(statement)
        return bool(getattr(result, "rowcount", 0))

    async def mark_used(self, token_ids: list[str], at: datetime, *, older_than: datetime) -> int:
        """Set `last_used_at` of these tokens, where it is unset or before `older_than`."""
        statement = (
            update(_tokens)
            .where(
                _tokens.c.id.in_(token_ids),
                or_(_tokens.c.last_used_at.is_(None), _tokens.c.last_used_at < older_than),
            )
            .values(last_used_at=at)
        )
        result = await self.session.execute(statement)
        return int(getattr(result, "rowcount", 0))
