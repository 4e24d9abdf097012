"""Server-side sessions: the browser holds a random secret, the database its hash and state.

A session ends at the first of: sign-out, "sign out everywhere", `web_session_idle_minutes`
without a request, `web_session_absolute_hours` after sign-in. Signing in always starts a new
session (a new secret), so a secret planted in a browser before sign-in is worth nothing after.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.config import Settings
from laurel.kit.crypto import generate_token, hash_token
from laurel.models import WebSession
from laurel.webapp.repository import WebSessionRepository

SESSION_COOKIE = "laurel_app_session"
SESSION_PREFIX = "laurel_web_"
# Writing last_seen_at on every page would make every read a write; a minute's slack in the
# idle timeout costs nothing.
TOUCH_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def of(cls, settings: Settings) -> "Timeouts":
        return cls(
            timedelta(minutes=settings.web_session_idle_minutes),
            timedelta(hours=settings.web_session_absolute_hours),
        )


@dataclass(frozen=True)
class StartedSession:
    record: WebSession
    secret: str


async def start_session(
    session: AsyncSession,
    user_id: str,
    organization_id: str | None,
    timeouts: Timeouts,
    now: datetime,
    replaced_secret: str | None,
) -> StartedSession:
    """A new session for the user; the one the browser held before (if any) ends."""
    repository = WebSessionRepository(session)
    if replaced_secret:
        previous = await repository.get_live_by_hash(hash_token(replaced_secret), now)
        if previous is not None:
            await repository.revoke(previous.id, now)
    secret = generate_token(SESSION_PREFIX)
    record = WebSession(
        token_hash=hash_token(secret),
        user_id=user_id,
        organization_id=organization_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timeouts.absolute,
    )
    repository.add(record)
    await session.flush()
    return StartedSession(record, secret)


async def find_session(
    session: AsyncSession, secret: str | None, timeouts: Timeouts, now: datetime
) -> WebSession | None:
    """The live session this secret names, its last use moved to now; None if it has ended."""
    if not secret:
        return None
    record = await WebSessionRepository(session).get_live_by_hash(hash_token(secret), now)
    if record is None or record.last_seen_at + timeouts.idle <= now:
        return None
    if now - record.last_seen_at >= TOUCH_AFTER:
        record.last_seen_at = now
    return record


async def end_session(session: AsyncSession, record: WebSession, now: datetime) -> None:
    await WebSessionRepository(session).revoke(record.id, now)


async def end_every_session(session: AsyncSession, user_id: str, now: datetime) -> int:
    return await WebSessionRepository(session).revoke_all_for_user(user_id, now)


def served_over_https(request: Request) -> bool:
    # uvicorn applies X-Forwarded-Proto from trusted proxies (LAUREL_FORWARDED_ALLOW_IPS).
    return request.url.scheme == "https"


def set_session_cookie(
    response: Response, request: Request, secret: str, timeouts: Timeouts
) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(timeouts.absolute.total_seconds()),
        path="/app",
        httponly=True,
        samesite="lax",
        secure=served_over_https(request),
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/app",
        httponly=True,
        samesite="lax",
        secure=served_over_https(request),
    )
