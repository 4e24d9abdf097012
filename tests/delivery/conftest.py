"""Real peers for delivery tests: an SMTP server (tests/fixtures/mail.py) and an HTTP receiver on
loopback."""

import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from laurel.app import create_app
from laurel.config import Settings
from laurel.db import Database
from laurel.kit.outbound import Resolver, system_resolver
from laurel.worker import DeliveryWorker
from tests.conftest import CertifierClient, Tenant, make_client
from tests.fixtures.processes import free_port


def email_parts(message: Message) -> dict[str, str]:
    """The decoded text parts of a received message, by content type, with the \n line breaks
    they were written with (SMTP carries them as \r\n)."""
    parts = message.get_payload() if message.is_multipart() else [message]
    assert isinstance(parts, list)
    decoded = {}
    for part in parts:
        assert isinstance(part, Message)
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        text = payload.decode(part.get_content_charset() or "utf-8")
        decoded[part.get_content_type()] = text.replace("\r\n", "\n")
    return decoded


class HtmlLinks(HTMLParser):
    """The links (`href` and text) and images of an HTML document, as a mail client reads them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.images: list[dict[str, str | None]] = []
        self._open: list[str] | None = None
        self._href = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._open = dict(attrs).get("href") or "", []
        elif tag == "img":
            self.images.append(dict(attrs))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.links.append((self._href, " ".join("".join(self._open).split())))
            self._open = None


@dataclass
class ReceivedHook:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Answers each POST with the next planned behaviour: a status code, "hang", or
    ("redirect", location). With `check`, a receiver's own verification answers instead."""

    url: str
    received: list[ReceivedHook] = field(default_factory=list)
    plan: list[int | str | tuple[str, str]] = field(default_factory=list)
    check: Callable[[ReceivedHook], int] | None = None


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    port = free_port()
    receiver = WebhookReceiver(f"http://127.0.0.1:{port}/hooks")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hook = ReceivedHook(self.path, dict(self.headers), body)
            receiver.received.append(hook)
            behaviour = receiver.plan.pop(0) if receiver.plan else 200
            if receiver.check is not None:
                behaviour = receiver.check(hook)
            if behaviour == "hang":
                time.sleep(1.5)
                behaviour = 200
            if isinstance(behaviour, tuple):
                self.send_response(302)
                self.send_header("Location", behaviour[1])
            else:
                self.send_response(int(behaviour))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def delivery_settings(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(
        update={
            "webhooks_allow_private_addresses": True,
            "webhook_timeout_seconds": 0.5,
            **changes,
        }
    )


async def deliver_due(
    database: Database, settings: Settings, resolver: Resolver = system_resolver
) -> int:
    """Run one worker pass the way `laurel worker` does, and stop."""
    worker = DeliveryWorker(database, settings, resolver=resolver)
    try:
        return await worker.run_once()
    finally:
        await worker.http.aclose()


@pytest.fixture
def hook_settings(settings: Settings) -> Settings:
    return delivery_settings(settings)


@pytest.fixture
async def hook_api(
    hook_settings: Settings, database: Database, tenant: Tenant
) -> AsyncIterator[CertifierClient]:
    app = create_app(hook_settings)
    async with make_client(app) as http:
        yield CertifierClient(http, tenant)
    await app.state.database.dispose()


async def subscribe(api: CertifierClient, url: str, *events: str) -> dict[str, str]:
    response = await api.request(
        "POST", "/v1/webhooks", json={"url": url, "eventTypes": list(events)}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())
