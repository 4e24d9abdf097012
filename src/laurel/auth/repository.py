"""The reads that tell who is calling the records API: a user token, its user, their memberships."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.timestamps import utc_now
from laurel.models import Membership, MembershipStatus, User, UserToken, UserTokenKind


class CallerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def usable_user_token(self, token_hash: str) -> UserToken | None:
        """A personal or OAuth access token that is neither revoked nor expired."""
        return await self.session.scalar(
            select(UserToken).where(
                UserToken.token_hash == token_hash,
                UserToken.kind.in_((UserTokenKind.personal, UserTokenKind.access)),
                UserToken.revoked_at.is_(None),
                (UserToken.expires_at.is_(None)) | (UserToken.expires_at > utc_now()),
            )
        )

    async def user(self, user_id: str) -> User | None:
        return await self.session.get(User, user_id)

    async def active_memberships(self, user_id: str) -> Sequence[Membership]:
        statement = select(Membership).where(
            Membership.user_id == user_id, Membership.status == MembershipStatus.active
        )
        return (await self.session.scalars(statement.order_by(Membership.id))).all()
