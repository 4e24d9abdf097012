"""All SQL of the authorization server: apps, authorization codes, users' OAuth tokens."""

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.timestamps import utc_now
from laurel.models import AuthorizationCode, OAuthApp, UserToken, UserTokenKind
from laurel.users.repository import UserTokenRepository


class OAuthRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Revoking one token is the same statement for personal and OAuth tokens.
        self.tokens = UserTokenRepository(session)

    def add(self, entity: OAuthApp | AuthorizationCode | UserToken) -> None:
        self.session.add(entity)

    async def app_by_client_id(self, client_id: str) -> OAuthApp | None:
        """An app that has not been revoked."""
        return await self.session.scalar(
            select(OAuthApp).where(OAuthApp.client_id == client_id, OAuthApp.revoked_at.is_(None))
        )

    async def apps_of(self, organization_id: str) -> Sequence[OAuthApp]:
        statement = (
            select(OAuthApp)
            .where(OAuthApp.organization_id == organization_id)
            .order_by(OAuthApp.id)
        )
        return (await self.session.scalars(statement)).all()

    async def revoke_app(self, client_id: str) -> bool:
        """Revoke the app and every token it holds; False when there was no active app."""
        app = await self.app_by_client_id(client_id)
        if app is None:
            return False
        now = utc_now()
        app.revoked_at = now
        await self.session.execute(
            update(UserToken)
            .where(UserToken.app_id == app.id, UserToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return True

    async def code_by_hash(self, code_hash: str) -> AuthorizationCode | None:
        """An authorization code that has not expired."""
        return await self.session.scalar(
            select(AuthorizationCode).where(
                AuthorizationCode.code_hash == code_hash,
                AuthorizationCode.expires_at > utc_now(),
            )
        )

    async def consume_code(self, code_id: str) -> bool:
        """Mark the code used; False when a concurrent request used it first."""
        result = await self.session.execute(
            update(AuthorizationCode)
            .where(AuthorizationCode.id == code_id, AuthorizationCode.used_at.is_(None))
            .values(used_at=utc_now())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def prune_expired_codes(self) -> None:
        await self.session.execute(
            delete(AuthorizationCode).where(AuthorizationCode.expires_at < utc_now())
        )

    async def oauth_token_by_hash(self, token_hash: str) -> UserToken | None:
        """An access or refresh token issued through OAuth, revoked or not (reuse detection)."""
        return await self.session.scalar(
            select(UserToken).where(
                UserToken.token_hash == token_hash,
                UserToken.kind.in_((UserTokenKind.access, UserTokenKind.refresh)),
                UserToken.app_id.is_not(None),
            )
        )

    async def revoke_family(self, family_id: str) -> None:
        await self.session.execute(
            update(UserToken)
            .where(UserToken.family_id == family_id, UserToken.revoked_at.is_(None))
            .values(revoked_at=utc_now())
        )
