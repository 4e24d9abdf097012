"""`Idempotency-Key` on POST, after Stripe and the IETF draft.

The key is scoped to the caller's token. The first request's response (status and body) is kept
for 24 hours and replayed to any retry with the same key (`Idempotent-Replayed: true`); the same key
with a different request is `422 idempotency_key_reused`; a retry while the first is still running
is `409 idempotency_key_in_use`. Requests that fail with an error are not kept, so a retry runs
again (a 4xx will fail the same way; a 5xx may not). A marker left by a crashed process is taken
over after ABANDONED_AFTER.
"""

import hashlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import Request, Response
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.db import Database
from laurel.kit.errors import IdempotencyKeyInUse, IdempotencyKeyReused, ValidationFailed
from laurel.kit.ids import new_id
from laurel.kit.timestamps import utc_now
from laurel.kit.versioning import VersionedRoute
from laurel.models import IdempotencyKey
from laurel.models.base import table_of

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
ABANDONED_AFTER = timedelta(minutes=2)
_keys = table_of(IdempotencyKey)


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, scope: str, key: str) -> IdempotencyKey | None:
        row = (
            await self.session.execute(
                select(_keys).where(_keys.c.scope == scope, _keys.c.key == key)
            )
        ).first()
        return row  # type: ignore[return-value]

    async def insert(self, scope: str, key: str, request_hash: str) -> None:
        await self.session.execute(
            insert(_keys).values(
                id=new_id(), scope=scope, key=key, request_hash=request_hash, created_at=utc_now()
            )
        )

    async def restart(self, scope: str, key: str, request_hash: str) -> None:
        await self.session.execute(
            update(_keys)
            .where(_keys.c.scope == scope, _keys.c.key == key)
            .values(
                request_hash=request_hash,
                created_at=utc_now(),
                response_status=None,
                response_body=None,
            )
        )

    async def complete(self, scope: str, key: str, status: int, body: bytes) -> None:
        await self.session.execute(
            update(_keys)
            .where(_keys.c.scope == scope, _keys.c.key == key)
            .values(response_status=status, response_body=body)
        )

    async def forget(self, scope: str, key: str) -> None:
        await self.session.execute(delete(_keys).where(_keys.c.scope == scope, _keys.c.key == key))

    async def purge_expired(self) -> None:
        await self.session.execute(delete(_keys).where(_keys.c.created_at < utc_now() - KEPT_FOR))


async def _begin(
    database: Database, scope: str, key: str, request_hash: str
) -> StoredResponse | None:
    """Mark the key in flight (its own transaction), or return the response to replay."""
    try:
        async with database.sessions() as session, session.begin():
            await IdempotencyRepository(session).insert(scope, key, request_hash)
        return None
    except IntegrityError:
        pass
    async with database.sessions() as session, session.begin():
        repository = IdempotencyRepository(session)
        existing = await repository.find(scope, key)
        now = utc_now()
        if existing is None or existing.created_at < now - KEPT_FOR:
            await repository.forget(scope, key)
            await repository.insert(scope, key, request_hash)
            return None
        if existing.request_hash != request_hash:
            raise IdempotencyKeyReused()
        if existing.response_status is not None and existing.response_body is not None:
            return StoredResponse(existing.response_status, existing.response_body)
        if existing.created_at > now - ABANDONED_AFTER:
            raise IdempotencyKeyInUse()
        await repository.restart(scope, key, request_hash)
        return None


async def _settle(database: Database, scope: str, key: str, response: Response | None) -> None:
    async with database.sessions() as session, session.begin():
        repository = IdempotencyRepository(session)
        if response is not None and response.status_code < 500:
            await repository.complete(scope, key, response.status_code, bytes(response.body))
        else:
            await repository.forget(scope, key)


def _caller_scope(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return hashlib.sha256(token.strip().encode()).hexdigest()


class IdempotentRoute(VersionedRoute):
    """A versioned route whose POSTs honour `Idempotency-Key`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_idempotently(request: Request) -> Response:
            key = request.headers.get(HEADER)
            scope = _caller_scope(request)
            if request.method != "POST" or key is None or scope is None:
                return await handle(request)
            if not 1 <= len(key) <= 255 or not key.isprintable():
                raise ValidationFailed(f"{HEADER}: 1 to 255 printable characters", param=HEADER)
            fingerprint = hashlib.sha256(
                request.method.encode() + b" " + request.url.path.encode() + b"\n"
                + await request.body()
            ).hexdigest()  # fmt: skip
            database: Database = request.app.state.database
            stored = await _begin(database, scope, key, fingerprint)
            if stored is not None:
                return Response(
                    stored.body,
                    status_code=stored.status,
                    media_type="application/json",
                    headers={"Idempotent-Replayed": "true"},
                )
            response: Response | None = None
            try:
                response = await handle(request)
            finally:
                await _settle(database, scope, key, response)
            return response

        return handle_idempotently
