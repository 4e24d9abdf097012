"""Pure ASGI middleware (Starlette's BaseHTTPMiddleware costs too much on every request).

`RequestContextMiddleware` gives each request an id (echoed in `X-Request-Id` and bound to every
log line), adds headers that dependencies leave in `request.state.response_headers` (rate-limit
headers, also on error responses), writes one access log line, caps the body's size and the time
it may take to arrive, and turns every exception that reaches it into the error format of the
request's API family (`kit/routing.ErrorFormats`): an outage of the database is `503` with
`Retry-After`, anything unexpected a 500 without leaking internals. It is the outermost layer,
so this holds for the idempotency middleware's database calls too, not only for the endpoints'.
A request the server is too busy to take (`serving.py` marks it `OVER_CAPACITY`) is refused
here, so that the refusal too is in its family's format.
"""

import asyncio
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import orjson
import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from laurel.kit.errors import (
    ErrorFormat,
    LaurelError,
    PayloadTooLarge,
    RequestTimeout,
    ServiceUnavailable,
    as_laurel_error,
)
from laurel.kit.routing import ErrorFormats

log = structlog.get_logger()

REQUEST_ID_HEADER = "X-Request-Id"
# Set in the scope of a request the server has no room for: answered 503 without running it.
OVER_CAPACITY = "laurel.over_capacity"
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,128}$")


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _ACCEPTABLE_REQUEST_ID.match(text) else None
    return None


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def error_message(error: LaurelError, request_id: str, error_format: ErrorFormat) -> list[Message]:
    body = orjson.dumps(error_format.body(error))
    headers = [
        (b"content-type", error_format.media_type.encode()),
        (b"content-length", str(len(body)).encode()),
        (REQUEST_ID_HEADER.lower().encode(), request_id.encode()),
        *((name.lower().encode(), value.encode()) for name, value in error.headers.items()),
    ]
    return [
        {"type": "http.response.start", "status": error.status_code, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        error_formats: ErrorFormats,
        max_body_bytes: int,
        body_timeout_seconds: float,
    ) -> None:
        self.app = app
        self.error_formats = error_formats
        self.max_body_bytes = max_body_bytes
        self.body_timeout_seconds = body_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        extra_headers: dict[str, str] = {}
        state["response_headers"] = extra_headers
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        body = _GuardedBody(receive, self.max_body_bytes, self.body_timeout_seconds)

        async def send_with_context(message: Message) -> None:
            nonlocal status, response_started
            if body.failure is not None:
                return  # the body's failure is the answer, whatever the app made of it
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                for name, value in extra_headers.items():
                    headers[name] = value
            await send(message)

        try:
            reply = await self._run(scope, body, send_with_context, lambda: response_started)
            if reply is not None:
                body.failure = None
                error_format = self.error_formats.for_scope(scope)
                for message in error_message(reply, request_id, error_format):
                    await send_with_context(message)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
            structlog.contextvars.clear_contextvars()

    async def _run(
        self, scope: Scope, body: "_GuardedBody", send: Send, response_started: Callable[[], bool]
    ) -> LaurelError | None:
        """Run the app; the error to answer with instead, if it did not answer (or may not)."""
        if scope.get(OVER_CAPACITY):
            refusal = ServiceUnavailable("This server is at its connection limit; retry shortly")
            refusal.headers["Connection"] = "close"  # one connection fewer
            return refusal
        try:
            declared = _declared_length(scope)
            if declared is not None and declared > self.max_body_bytes:
                raise PayloadTooLarge(
                    f"The request body may be at most {self.max_body_bytes} bytes"
                )
            await self.app(scope, body.receive, send)
        except Exception as error:
            if response_started():
                raise
            reply = body.failure or as_laurel_error(error)
            if reply.status_code == 500:
                log.exception("unhandled_error", path=scope["path"])
            elif reply.status_code == 503:
                log.warning("database_unreachable", path=scope["path"], error=repr(error))
            return reply
        return None if response_started() else body.failure


class _GuardedBody:
    """The request body, capped in size and in the time it may take to arrive after the headers.

    A failure is remembered: whoever read the body may turn it into an answer of its own (a
    form parser makes any read error a 400), but the answer is the failure (413 or 408).
    """

    def __init__(self, receive: Receive, max_bytes: int, timeout_seconds: float) -> None:
        self._receive = receive
        self._max_bytes = max_bytes
        self._timeout_seconds = timeout_seconds
        self._deadline = asyncio.get_running_loop().time() + timeout_seconds
        self._received = 0
        self._complete = False
        self.failure: LaurelError | None = None

    async def receive(self) -> Message:
        if self._complete:
            return await self._receive()  # waiting for a disconnect: no deadline
        try:
            async with asyncio.timeout_at(self._deadline):
                message = await self._receive()
        except TimeoutError:
            self.failure = RequestTimeout(self._timeout_seconds)
            raise self.failure from None
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._max_bytes:
                self.failure = PayloadTooLarge(
                    f"The request body may be at most {self._max_bytes} bytes"
                )
                raise self.failure
            self._complete = not message.get("more_body", False)
        else:
            self._complete = True
        return message
