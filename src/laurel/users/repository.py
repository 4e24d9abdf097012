from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.timestamps import utc_now
from laurel.models import User, UserToken, UserTokenKind


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: str) -> User | None:
        return await self.session.get(User, user_id)

    async def get_by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == email.strip().lower()))

    async def list_all(self) -> Sequence[User]:
        return (await self.session.scalars(select(User).order_by(User.id))).all()

    def add(self, entity: User | UserToken) -> None:
        self.session.add(entity)


class UserTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_for_user(self, user_id: str, kind: UserTokenKind) -> Sequence[UserToken]:
        statement = (
            select(UserToken)
            .where(UserToken.user_id == user_id, UserToken.kind == kind)
            .order_by(UserToken.id)
        )
        return (await self.session.scalars(statement)).all()

    async def revoke(self, token_id: str) -> bool:
        result = await self.session.execute(
            update(UserToken)
            .where(UserToken.id == token_id, UserToken.revoked_at.is_(None))
            .values(revoked_at=utc_now())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
