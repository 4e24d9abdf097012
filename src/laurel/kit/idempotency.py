"""`Idempotency-Key` on POST (and PUT upserts), after Stripe and the IETF draft.

The key is scoped to the caller's token and the route. The first request's response (status,
body, and the headers that are part of the answer, `REPLAYED_HEADERS`: its content type among
them) is kept for 24 hours and replayed to any retry with the same key (`Idempotent-Replayed:
true`); the same key with a different request is `422 idempotency_key_reused` — "different" read
from the parsed JSON, so a client that re-serializes its body (other key order, spacing, a
trailing newline) is still retrying; a retry while the first is still running is
`409 idempotency_key_in_use`. Client errors are kept and replayed like any answer (as Stripe
does); server errors (5xx), 401 and 429 are not, so a retry runs again. A marker left by a
crashed process is taken over after ABANDONED_AFTER.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta

import orjson
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from laurel.db import Database
from laurel.kit.errors import IdempotencyKeyInUse, IdempotencyKeyReused, ValidationFailed
from laurel.kit.ids import new_id
from laurel.kit.timestamps import utc_now
from laurel.models import IdempotencyKey
from laurel.models.base import table_of

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
ABANDONED_AFTER = timedelta(minutes=2)
_keys = table_of(IdempotencyKey)
# Response headers that say something about the outcome, so a replay must carry them too.
REPLAYED_HEADERS = frozenset({b"content-type", b"laurel-delivery"})
# What a key kept before content types were replayed was: every such answer was JSON.
JSON = "application/json"


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


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
                response_headers=None,
            )
        )

    async def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        await self.session.execute(
            update(_keys)
            .where(_keys.c.scope == scope, _keys.c.key == key)
            .values(
                response_status=response.status,
                response_body=response.body,
                response_headers=response.headers or None,
            )
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
            return StoredResponse(
                existing.response_status,
                existing.response_body,
                dict(existing.response_headers or {}),
            )
        if existing.created_at > now - ABANDONED_AFTER:
            raise IdempotencyKeyInUse()
        await repository.restart(scope, key, request_hash)
        return None


async def _settle(
    database: Database, scope: str, key: str, response: StoredResponse | None
) -> None:
    async with database.sessions() as session, session.begin():
        repository = IdempotencyRepository(session)
        if response is not None:
            await repository.complete(scope, key, response)
        else:
            await repository.forget(scope, key)


def key_scope(token: str, path: str) -> str:
    return hashlib.sha256(f"{token}\n{path}".encode()).hexdigest()


def _caller_scope(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            if kind.lower() == "bearer" and token.strip():
                return key_scope(token.strip(), scope["path"])
    return None


def _key(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"idempotency-key":
            return str(value.decode("latin-1"))
    return None


def request_fingerprint(path: str, body: bytes) -> str:
    """What makes two requests the same: the path and the parsed JSON, not its spelling."""
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body  # not JSON: the handler will refuse it, and the bytes are all there is
    return hashlib.sha256(path.encode() + b"\n" + canonical).hexdigest()


# Creates (POST) and the records API's upserts (PUT).
_KEYED = frozenset({"POST", "PUT"})
# Answers that depend on the moment, not on the request: never replayed.
_NOT_KEPT = {401, 429}


class IdempotencyMiddleware:
    """Honours `Idempotency-Key` on every POST and PUT of the API (pure ASGI, in request context).

    It wraps the whole request, so the response it keeps is the one sent after the request's
    transaction committed.
    """

    def __init__(self, app: ASGIApp, database: Database) -> None:
        self.app = app
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _key(scope) if scope["type"] == "http" and scope["method"] in _KEYED else None
        caller = _caller_scope(scope) if key is not None else None
        if key is None or caller is None or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= 255 or not key.isprintable():
            raise ValidationFailed(f"{HEADER}: 1 to 255 printable characters", param=HEADER)
        body = await _read_body(receive)
        fingerprint = request_fingerprint(scope["path"], body)
        stored = await _begin(self.database, caller, key, fingerprint)
        if stored is not None:
            await _replay(send, stored)
            return
        status = 500
        chunks: list[bytes] = []
        kept_headers: dict[str, str] = {}

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() in REPLAYED_HEADERS:
                        kept_headers[name.decode("latin-1")] = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        response: StoredResponse | None = None
        try:
            await self.app(scope, _replaying(body), capture)
            if status < 500 and status not in _NOT_KEPT:
                response = StoredResponse(status, b"".join(chunks), kept_headers)
        finally:
            await _settle(self.database, caller, key, response)


def _has_content_type(stored: StoredResponse) -> bool:
    return any(name.lower() == "content-type" for name in stored.headers)


async def _read_body(receive: Receive) -> bytes:
    parts = []
    while True:
        message = await receive()
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)


def _replaying(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _replay(send: Send, stored: StoredResponse) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": stored.status,
            "headers": [
                *([] if _has_content_type(stored) else [(b"content-type", JSON.encode())]),
                (b"content-length", str(len(stored.body)).encode()),
                (b"idempotent-replayed", b"true"),
                *(
                    (name.encode("latin-1"), value.encode("latin-1"))
                    for name, value in stored.headers.items()
                ),
            ],
        }
    )
    await send({"type": "http.response.body", "body": stored.body})
