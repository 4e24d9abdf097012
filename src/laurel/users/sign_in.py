"""Checking an email and password: the one rule the OAuth sign-in page and the web app share."""

import asyncio
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.models import User
from laurel.users.passwords import hash_password, verify_password
from laurel.users.repository import UserRepository


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return hash_password("no one signs in with this")


# Each scrypt check needs ~128 MiB: a few at a time, however many sign-ins arrive at once.
_PASSWORD_CHECKS = asyncio.Semaphore(2)


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    """The user with this email and password, or None; both cases cost one scrypt."""
    user = await UserRepository(session).get_by_email(email.strip().lower()) if email else None
    # An unknown email costs the same scrypt as a known one, so timing does not tell them apart.
    stored = user.password_hash if user is not None else None
    async with _PASSWORD_CHECKS:
        stored = stored or await asyncio.to_thread(_decoy_hash)
        matches = await asyncio.to_thread(verify_password, password, stored)
    return user if matches and user is not None else None
