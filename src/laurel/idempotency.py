"""`Idempotency-Key` on POST (and PUT upserts), after Stripe and the IETF draft.

The key is scoped to the caller's token and the route. The first request's response (status,
body, and the headers that are part of the answer, `REPLAYED_HEADERS`: its content type among
them) is kept for 24 hours and replayed to any retry with the same key (`Idempotent-Replayed:
true`); the same key with a different request is `422
idempotency_key_reused` — "different" read from the parsed JSON, so a client that re-serializes its
body (other key order, spacing, a trailing newline) is still retrying; a retry while the first is
still running is `409 idempotency_key_in_use`. Client errors are kept and replayed like
any answer (as Stripe does); server errors (5xx), 401 and 429 are not, so a retry runs again.
The answer is committed in the request's own transaction, with its work, and sent only then: a
process killed at any moment leaves either both (a retry replays) or neither (a retry does the
work for the first time), never work without its answer.

A key in flight names its owner (kit/owners: the app and process running the request) and holds a
lease its owner renews every LEASE_RENEWED_EVERY while the request runs. A retry takes the key
over, at once, as soon as its owner is known to be gone: the owner is this very app and no
request of it holds the key (the first one ended without settling it, e.g. the database went away
at that moment), or it ran on this machine and its process no longer exists (crashed, killed);
otherwise, wherever it ran, once its lease has not been renewed for LEASE_LOST_AFTER; and, as the
last resort (keys marked before owners were recorded), ABANDONED_AFTER after the request began.
Until then a retry is `409 idempotency_key_in_use`.
"""

import asyncio
import contextlib
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import orjson
import structlog
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from laurel.db import HELD_TRANSACTION, Database, HeldTransaction
from laurel.kit.errors import IdempotencyKeyInUse, IdempotencyKeyReused, ValidationFailed
from laurel.kit.ids import new_id
from laurel.kit.owners import Owner
from laurel.kit.timestamps import utc_now
from laurel.models import IdempotencyKey
from laurel.models.base import table_of

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
ABANDONED_AFTER = timedelta(minutes=2)
LEASE_RENEWED_EVERY = timedelta(seconds=3)
LEASE_LOST_AFTER = timedelta(seconds=10)
_keys = table_of(IdempotencyKey)
log = structlog.get_logger()


# Response headers that say something about the outcome, so a replay must carry them too.
REPLAYED_HEADERS = frozenset({b"content-type", b"laurel-delivery"})
# What a key kept before content types were replayed was: every such answer was JSON.
JSON = "application/json"


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KeptKey:
    """An `Idempotency-Key` as kept: what the middleware compares, replays or takes over."""

    id: str
    request_hash: str
    response_status: int | None
    response_body: bytes | None
    response_headers: dict[str, str] | None
    created_at: datetime
    owner: str | None
    owner_seen_at: datetime | None


_KEPT_KEY = select(
    _keys.c.id,
    _keys.c.request_hash,
    _keys.c.response_status,
    _keys.c.response_body,
    _keys.c.response_headers,
    _keys.c.created_at,
    _keys.c.owner,
    _keys.c.owner_seen_at,
)


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, scope: str, key: str) -> KeptKey | None:
        statement = _KEPT_KEY.where(_keys.c.scope == scope, _keys.c.key == key)
        row = (await self.session.execute(statement)).first()
        return None if row is None else KeptKey(*row)

    async def insert(
        self, scope: str, key: str, request_hash: str, owner: str, *, marker_id: str | None = None
    ) -> None:
        now = utc_now()
        await self.session.execute(
            insert(_keys).values(
                id=marker_id or new_id(),
                scope=scope,
                key=key,
                request_hash=request_hash,
                created_at=now,
                owner=owner,
                owner_seen_at=now,
            )
        )

    async def take_over(self, abandoned: KeptKey, request_hash: str, owner: str) -> bool:
        """Restart an abandoned key for `owner`; False if another retry took it first."""
        now = utc_now()
        result = await self.session.execute(
            update(_keys)
            .where(
                _keys.c.id == abandoned.id,
                _keys.c.created_at == abandoned.created_at,
                _keys.c.response_status.is_(None),
            )
            .values(
                request_hash=request_hash,
                created_at=now,
                owner=owner,
                owner_seen_at=now,
                response_body=None,
                response_headers=None,
            )
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def renew(self, owner: str, ids: list[str]) -> None:
        """Say `owner` still runs these keys' requests."""
        await self.session.execute(
            update(_keys)
            .where(_keys.c.id.in_(ids), _keys.c.owner == owner, _keys.c.response_status.is_(None))
            .values(owner_seen_at=utc_now())
        )

    async def complete(self, marker_id: str, owner: str, response: "StoredResponse") -> bool:
        """Keep the answer on the key; False if `owner` no longer holds it (taken over)."""
        result = await self.session.execute(
            update(_keys)
            .where(_keys.c.id == marker_id, _keys.c.owner == owner)
            .values(
                response_status=response.status,
                response_body=response.body,
                response_headers=response.headers or None,
            )
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def forget(self, scope: str, key: str, *, owner: str | None = None) -> None:
        """Delete the key (only if `owner` still owns it, when given)."""
        condition = [_keys.c.scope == scope, _keys.c.key == key]
        if owner is not None:
            condition.append(_keys.c.owner == owner)
        await self.session.execute(delete(_keys).where(*condition))

    async def purge_expired(self) -> None:
        await self.session.execute(delete(_keys).where(_keys.c.created_at < utc_now() - KEPT_FOR))


class InFlightKeys:
    """The keys this app's requests are running, with the owner they are marked with.

    Renewing their leases (`renew`, every LEASE_RENEWED_EVERY from the app's lifespan) is how
    other processes know the requests still run.
    """

    def __init__(self) -> None:
        self.owner = Owner.new()
        self._ids: set[str] = set()

    def hold(self, marker_id: str) -> None:
        self._ids.add(marker_id)

    def release(self, marker_id: str) -> None:
        self._ids.discard(marker_id)

    def holds(self, marker_id: str) -> bool:
        return marker_id in self._ids

    def abandoned(self, marker: KeptKey, now: datetime) -> bool:
        """Whether the request that marked this key is known to have ended without an answer."""
        owner = Owner.parse(marker.owner) if marker.owner is not None else None
        if owner is None:  # marked before owners were recorded: the last resort
            return marker.created_at < now - ABANDONED_AFTER
        if owner == self.owner:
            return not self.holds(marker.id)
        if self.owner.knows_gone(owner):
            return True
        last_seen = marker.owner_seen_at or marker.created_at
        return last_seen < now - LEASE_LOST_AFTER

    async def renew(self, database: Database) -> None:
        if not self._ids:
            return
        async with database.sessions() as session, session.begin():
            await IdempotencyRepository(session).renew(str(self.owner), sorted(self._ids))


async def renew_leases_periodically(
    keys: InFlightKeys, database: Database, stop: asyncio.Event
) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), LEASE_RENEWED_EVERY.total_seconds())
        try:
            await keys.renew(database)
        except Exception as error:  # the database away: the next round tries again
            log.warning("idempotency_leases_not_renewed", error=repr(error))


async def _begin(
    database: Database, keys: InFlightKeys, scope: str, key: str, request_hash: str
) -> str | StoredResponse:
    """Mark the key in flight for `keys` (its own transaction): the marker's id, which `keys`
    then holds; or the response to replay."""
    marker_id = new_id()
    keys.hold(marker_id)  # before the marker is visible, so that no request of ours takes it over
    try:
        outcome = await _mark(database, keys, scope, key, request_hash, marker_id)
    except BaseException:
        keys.release(marker_id)
        raise
    if outcome != marker_id:
        keys.release(marker_id)
    return outcome


async def _mark(
    database: Database,
    keys: InFlightKeys,
    scope: str,
    key: str,
    request_hash: str,
    marker_id: str,
) -> str | StoredResponse:
    owner = str(keys.owner)
    try:
        async with database.sessions() as session, session.begin():
            await IdempotencyRepository(session).insert(
                scope, key, request_hash, owner, marker_id=marker_id
            )
        return marker_id
    except IntegrityError:
        pass
    taking_over: str | None = None
    try:
        async with database.sessions() as session, session.begin():
            repository = IdempotencyRepository(session)
            existing = await repository.find(scope, key)
            now = utc_now()
            if existing is None or existing.created_at < now - KEPT_FOR:
                await repository.forget(scope, key)
                await repository.insert(scope, key, request_hash, owner, marker_id=marker_id)
                return marker_id
            if existing.request_hash != request_hash:
                raise IdempotencyKeyReused()
            if existing.response_status is not None and existing.response_body is not None:
                return StoredResponse(
                    existing.response_status,
                    existing.response_body,
                    dict(existing.response_headers or {}),
                )
            if not keys.abandoned(existing, now):
                raise IdempotencyKeyInUse()
            taking_over = existing.id
            keys.hold(taking_over)  # before the takeover commits, as for a new marker
            if not await repository.take_over(existing, request_hash, owner):
                raise IdempotencyKeyInUse()  # another retry was quicker
            log.info("idempotency_key_taken_over", previous_owner=existing.owner)
            return taking_over
    except BaseException:
        if taking_over is not None:
            keys.release(taking_over)
        raise


async def _settle(
    database: Database,
    owner: str,
    scope: str,
    key: str,
    marker_id: str,
    response: StoredResponse | None,
) -> None:
    async with database.sessions() as session, session.begin():
        repository = IdempotencyRepository(session)
        if response is not None:
            await repository.complete(marker_id, owner, response)
        else:
            await repository.forget(scope, key, owner=owner)


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

    It holds the request's transaction (db.HeldTransaction) and commits it together with the
    answer it keeps, before sending that answer: the work and its answer are kept together or
    not at all, so a retry after a crash either replays the answer or does the work for the
    first time. The answer is sent only once committed, so a failed commit is an error response
    (rendered by the request-context middleware), never a success the database does not know.
    """

    def __init__(self, app: ASGIApp, database: Database, in_flight: InFlightKeys) -> None:
        self.app = app
        self.database = database
        self.in_flight = in_flight

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
        marked = await _begin(self.database, self.in_flight, caller, key, fingerprint)
        if isinstance(marked, StoredResponse):
            await _replay(send, marked)
            return
        try:
            messages = await self._run_and_keep(scope, body, caller, key, marked)
        finally:
            # Only now: until the settlement commits, no request of ours may take the key.
            self.in_flight.release(marked)
        for message in messages:
            await send(message)

    async def _run_and_keep(
        self, scope: Scope, body: bytes, caller: str, key: str, marker_id: str
    ) -> list[Message]:
        """Run the request, commit its work with its answer; the answer's messages, to send."""
        owner = str(self.in_flight.owner)
        held = HeldTransaction()
        scope[HELD_TRANSACTION] = held
        messages: list[Message] = []
        try:
            try:
                await self.app(scope, _replaying(body), _collecting(messages))
                answer = _answer(messages)
                if held.session is None:
                    # The endpoint failed (its work rolled back) or used no transaction of the
                    # request: there is no work to keep the answer with.
                    await _settle(self.database, owner, caller, key, marker_id, answer)
                elif answer is None:
                    await held.session.rollback()  # not kept, a retry runs again: undo the work
                    await _settle(self.database, owner, caller, key, marker_id, None)
                else:
                    repository = IdempotencyRepository(held.session)
                    if not await repository.complete(marker_id, owner, answer):
                        # Another process took the key over (our lease lapsed): it does the work.
                        raise IdempotencyKeyInUse()
                    await held.session.commit()
            finally:
                # Before the key is forgotten below: the work's locks go with it.
                if held.session is not None:
                    await held.session.close()  # rolls back whatever was not committed
        except BaseException:
            await _forget_after_failure(self.database, owner, caller, key, marker_id)
            raise
        return messages


async def _forget_after_failure(
    database: Database, owner: str, scope: str, key: str, marker_id: str
) -> None:
    """Forget the key of a request that failed, so a retry runs it; if even that fails (the
    database away), the key is left to be taken over as this app's abandoned key."""
    try:
        await _settle(database, owner, scope, key, marker_id, None)
    except Exception as error:
        log.warning("idempotency_key_not_forgotten", error=repr(error))


def _collecting(messages: list[Message]) -> Send:
    async def collect(message: Message) -> None:
        messages.append(message)

    return collect


def _answer(messages: list[Message]) -> StoredResponse | None:
    """The answer to keep, from the response's messages; None for one that is not kept."""
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    if start is None or start["status"] >= 500 or start["status"] in _NOT_KEPT:
        return None
    headers = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in start.get("headers", [])
        if name.lower() in REPLAYED_HEADERS
    }
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return StoredResponse(start["status"], body, headers)


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
                # Keys kept before content types were replayed were all JSON.
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
