"""One request's state for Authlib: what its hooks may read, and the writes they ask for.

Authlib's hooks are synchronous and our database is not, so an endpoint loads first what the
hooks will ask for (the app, the code, the refresh token, the user), lets Authlib decide, and
then performs the writes the hooks recorded, in the request's transaction.
"""

from dataclasses import dataclass, field
from typing import ClassVar

from laurel.config import Settings
from laurel.models import AuthorizationCode, OAuthApp, User, UserToken
from laurel.oauth.repository import OAuthRepository


@dataclass(frozen=True)
class AddRow:
    row: AuthorizationCode | UserToken
    single_use: ClassVar[bool] = False

    async def apply(self, repository: OAuthRepository) -> bool:
        repository.add(self.row)
        return True


@dataclass(frozen=True)
class ConsumeCode:
    code_id: str
    single_use: ClassVar[bool] = True

    async def apply(self, repository: OAuthRepository) -> bool:
        return await repository.consume_code(self.code_id)


@dataclass(frozen=True)
class RotateRefreshToken:
    token_id: str
    single_use: ClassVar[bool] = True

    async def apply(self, repository: OAuthRepository) -> bool:
        return await repository.tokens.revoke(self.token_id)


@dataclass(frozen=True)
class RevokeToken:
    token_id: str
    single_use: ClassVar[bool] = False

    async def apply(self, repository: OAuthRepository) -> bool:
        await repository.tokens.revoke(self.token_id)
        return True


@dataclass(frozen=True)
class RevokeFamily:
    family_id: str
    single_use: ClassVar[bool] = False

    async def apply(self, repository: OAuthRepository) -> bool:
        await repository.revoke_family(self.family_id)
        return True


Write = AddRow | ConsumeCode | RotateRefreshToken | RevokeToken | RevokeFamily


@dataclass
class Exchange:
    """Loaded before Authlib runs; `writes` filled while it runs; applied after."""

    settings: Settings
    app: OAuthApp | None = None
    user: User | None = None
    code: AuthorizationCode | None = None
    token: UserToken | None = None
    writes: list[Write] = field(default_factory=list)

    def record(self, write: Write) -> None:
        self.writes.append(write)

    async def apply(self, repository: OAuthRepository) -> bool:
        """Perform the writes, single-use claims first; False (and nothing written) if one of
        them lost a race: the code or refresh token was used by a concurrent request."""
        ordered = sorted(self.writes, key=lambda write: not write.single_use)
        for write in ordered:
            if not await write.apply(repository):
                return False
        return True
