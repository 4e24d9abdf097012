"""How `laurel serve` holds its connections: uvicorn, plus the limits uvicorn lacks.

uvicorn closes idle keep-alive connections (`timeout_keep_alive`), but it sets no time for a
client to send a request's headers, and with httptools no size either: a client that trickles a
header a minute keeps its connection, and thousands of them keep thousands. `LaurelHttpProtocol`
is uvicorn's httptools protocol with, from the settings (docs/deployment.md):

- `header_timeout_seconds`: a request's headers must be complete that long after the connection
  opened, or, on a kept-alive connection, after the request's first byte; otherwise the
  connection is closed (there is no request yet to answer);
- `max_header_bytes`: more before the end of the headers is `431`, and the connection closed;
- `max_connections`: a request arriving while more connections are open (or as many requests
  are in progress) is answered `503 service_unavailable` with `Retry-After`, in its API's
  format (uvicorn's own `limit_concurrency` answers plain text): it is marked `OVER_CAPACITY`
  and the app's outermost middleware refuses it without running it;
- a response sent before its request's body has arrived ends the connection, so a client that
  trickles a body nobody reads cannot keep it open.

The time a body may take is kept by the app (kit/middleware: `408 request_timeout`).
"""

import asyncio
from typing import Any

import structlog
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from laurel.config import Settings, get_settings
from laurel.kit.middleware import OVER_CAPACITY

log = structlog.get_logger()

HEADERS_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-length: 0\r\nconnection: close\r\n\r\n"
)


class LaurelHttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol (httptools) with a header deadline and size, a connection
    limit answered in the API's format, and no keep-alive after an unread body."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each worker process reads the settings from the environment `laurel serve` set.
        settings = get_settings()
        self.header_timeout = settings.header_timeout_seconds
        self.max_header_bytes = settings.max_header_bytes
        self.max_connections = settings.max_connections
        self.header_deadline: asyncio.TimerHandle | None = None
        self.header_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.header_deadline is None or self.transport.is_closing():
            return  # not waiting for headers (or done with this connection)
        self.header_bytes += len(data)
        if self.header_bytes > self.max_header_bytes:
            log.info("request_headers_too_large", client=self.client)
            self.transport.write(HEADERS_TOO_LARGE)
            self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.header_deadline is None:  # the next request on a kept-alive connection
            self._arm_header_deadline()

    def on_headers_complete(self) -> None:
        self._disarm_header_deadline()
        if len(self.connections) <= self.max_connections and len(self.tasks) < self.max_connections:
            super().on_headers_complete()
            return
        log.warning("connection_limit_reached", connections=len(self.connections))
        self.scope[OVER_CAPACITY] = True  # type: ignore[literal-required]
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        unread_body = not self.pipeline and self.cycle is not None and self.cycle.more_body
        super().on_response_complete()
        if unread_body and not self.transport.is_closing():
            self.transport.close()

    def _arm_header_deadline(self) -> None:
        self.header_bytes = 0
        self.header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _headers_too_slow(self) -> None:
        self.header_deadline = None
        if not self.transport.is_closing():
            log.info("request_headers_timed_out", client=self.client)
            self.transport.close()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What `laurel serve` gives uvicorn beside the app, host, port and workers."""
    return {
        "http": LaurelHttpProtocol,
        "timeout_keep_alive": settings.keep_alive_seconds,
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "log_config": None,
        "access_log": False,
    }
