"""Pure ASGI middleware (Starlette's BaseHTTPMiddleware costs too much on every request).

`RequestContextMiddleware` gives each request an id (echoed in `X-Request-Id` and bound to every
log line), adds headers that dependencies leave in `request.state.response_headers` (rate-limit
headers, also on error responses), writes one access log line, caps the body size, and turns any
unexpected exception into the 500 envelope without leaking internals.
"""

import re
import time
import uuid
from typing import Any

import orjson
import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from laurel.kit.errors import InternalServerError, LaurelError, PayloadTooLarge

log = structlog.get_logger()

REQUEST_ID_HEADER = "X-Request-Id"
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


def error_message(error: LaurelError, request_id: str, path: str) -> list[Message]:
    payload, media_type = error.rendered_for(path)
    body = orjson.dumps(payload)
    headers = [
        (b"content-type", media_type.encode()),
        (b"content-length", str(len(body)).encode()),
        (REQUEST_ID_HEADER.lower().encode(), request_id.encode()),
    ]
    return [
        {"type": "http.response.start", "status": error.status_code, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

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

        async def send_with_context(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                for name, value in extra_headers.items():
                    headers[name] = value
            await send(message)

        try:
            declared = _declared_length(scope)
            if declared is not None and declared > self.max_body_bytes:
                raise PayloadTooLarge(
                    f"The request body may be at most {self.max_body_bytes} bytes"
                )
            await self.app(scope, self._capped(receive), send_with_context)
        except Exception as error:
            if response_started:
                raise
            if not isinstance(error, LaurelError):
                log.exception("unhandled_error", path=scope["path"])
            reply = error if isinstance(error, LaurelError) else InternalServerError()
            for message in error_message(reply, request_id, scope["path"]):
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

    def _capped(self, receive: Receive) -> Receive:
        received = 0
        limit = self.max_body_bytes

        async def receive_capped() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(f"The request body may be at most {limit} bytes")
            return message

        return receive_capped
