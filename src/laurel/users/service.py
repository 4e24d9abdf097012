"""Users and their personal access tokens (the records API's callers).

The operator's side of the records services (the `laurel users` commands, the demo, and the
members service that adds people; memberships are the members service's): functions like every
records service, taking the session first, but no caller — who may call them is decided by
whoever calls them.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.scopes import API_SCOPES, parse_scopes, unknown_scopes
from laurel.kit.crypto import generate_token, hash_token
from laurel.kit.errors import Conflict, NotFound, ValidationFailed
from laurel.kit.fields import normalized_email
from laurel.kit.timestamps import utc_now
from laurel.models import User, UserToken, UserTokenKind
from laurel.users.passwords import hash_password
from laurel.users.repository import UserRepository, UserTokenRepository

PERSONAL_TOKEN_PREFIX = "laurel_pat_"  # noqa: S105 (a prefix, not a secret)


def normalize_email(email: str) -> str:
    try:
        return normalized_email(email).lower()
    except EmailNotValidError as error:
        raise ValidationFailed(f"email: {error}", param="email") from None


async def create_user(
    session: AsyncSession, email: str, display_name: str, password: str | None = None
) -> User:
    repository = UserRepository(session)
    email = normalize_email(email)
    if await repository.get_by_email(email) is not None:
        raise Conflict(f"A user with the email '{email}' exists already")
    user = User(
        email=email,
        display_name=display_name.strip() or email,
        password_hash=hash_password(password) if password else None,
    )
    repository.add(user)
    await session.flush()
    return user


async def set_password(session: AsyncSession, user_id: str, password: str) -> None:
    user = await UserRepository(session).get(user_id)
    if user is None:
        raise NotFound(f"No user with id '{user_id}'")
    user.password_hash = hash_password(password)


@dataclass(frozen=True)
class CreatedUserToken:
    record: UserToken
    secret: str


async def create_personal_token(
    session: AsyncSession,
    user_id: str,
    scopes: Sequence[str],
    *,
    name: str = "personal",
    expires_in_days: int | None = None,
) -> CreatedUserToken:
    """A token acting for the user with the chosen API scopes, for scripts (shown once)."""
    if await UserRepository(session).get(user_id) is None:
        raise NotFound(f"No user with id '{user_id}'")
    chosen = parse_scopes(scopes)
    wrong = unknown_scopes(chosen) or [s for s in chosen if s not in API_SCOPES]
    if wrong:
        raise ValidationFailed(f"scope: unknown API scope '{wrong[0]}'", param="scope")
    if not chosen:
        raise ValidationFailed("scope: choose at least one API scope", param="scope")
    secret = generate_token(PERSONAL_TOKEN_PREFIX)
    expires_at = utc_now() + timedelta(days=expires_in_days) if expires_in_days else None
    token = UserToken(
        user_id=user_id,
        kind=UserTokenKind.personal,
        name=name,
        scopes=" ".join(chosen),
        token_hash=hash_token(secret),
        expires_at=expires_at,
    )
    UserRepository(session).add(token)
    await session.flush()
    return CreatedUserToken(token, secret)


async def revoke_user_token(session: AsyncSession, token_id: str) -> None:
    if not await UserTokenRepository(session).revoke(token_id):
        raise NotFound(f"No active token with id '{token_id}'")
