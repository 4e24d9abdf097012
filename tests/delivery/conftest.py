"""Real peers for delivery tests: an SMTP server (aiosmtpd) and an HTTP receiver on loopback."""

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from laurel.config import Settings
from laurel.db import Database
from laurel.delivery.worker import DeliveryWorker


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class MailCatcher:
    """An aiosmtpd handler keeping every accepted message; RCPT can be slowed down."""

    rcpt_delay: float = 0.0
    messages: list[Message] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [str(message["Message-ID"]) for message in self.messages]


@dataclass
class SmtpServer:
    url: str
    catcher: MailCatcher


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    catcher = MailCatcher()
    port = free_port()
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(f"smtp://127.0.0.1:{port}", catcher)
    finally:
        controller.stop()


@dataclass
class ReceivedHook:
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Answers each POST with the next planned behaviour: a status code or "hang"."""

    url: str
    received: list[ReceivedHook] = field(default_factory=list)
    plan: list[int | str] = field(default_factory=list)


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    port = free_port()
    receiver = WebhookReceiver(f"http://127.0.0.1:{port}/hooks")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(ReceivedHook(dict(self.headers), body))
            behaviour = receiver.plan.pop(0) if receiver.plan else 200
            if behaviour == "hang":
                time.sleep(1.5)
                behaviour = 200
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


async def deliver_due(database: Database, settings: Settings) -> int:
    """Run one worker pass the way `laurel worker` does, and stop."""
    worker = DeliveryWorker(database, settings)
    try:
        return await worker.run_once()
    finally:
        await worker.http.aclose()
