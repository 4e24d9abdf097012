"""Talking to the outside: SMTP for email (aiosmtplib), HTTP for webhooks (httpx)."""

import asyncio
import hashlib
import hmac
import ipaddress
import time
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib
import httpx

from laurel.config import Settings


class DeliveryFailed(Exception):
    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


def email_message(sender: str, message: dict[str, str]) -> EmailMessage:
    """The MIME message of an outbox email job: text/plain, and text/html beside it when the job
    has one (jobs queued before emails had an HTML part have only text).

    Header values are made one line here too, so that no job, however it was queued, can add a
    header (and none makes the stdlib refuse the message, which would retry it forever).
    """
    email = EmailMessage()
    email["From"] = _one_line(sender)
    email["To"] = _one_line(message["to"])
    email["Subject"] = _one_line(message["subject"])
    email["Message-ID"] = _one_line(message["message_id"])
    email.set_content(message["text"])
    if message.get("html"):
        email.add_alternative(message["html"], subtype="html")
    return email


def _one_line(value: str) -> str:
    return " ".join(value.split())


async def send_email(settings: Settings, message: dict[str, str]) -> None:
    if settings.smtp_url is None:
        raise DeliveryFailed("no SMTP server is configured (LAUREL_SMTP_URL)")
    url = urlsplit(settings.smtp_url)
    email = email_message(settings.smtp_from, message)
    implicit_tls = url.scheme == "smtps"
    try:
        await aiosmtplib.send(
            email,
            hostname=url.hostname or "localhost",
            port=url.port or (465 if implicit_tls else 587),
            username=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            use_tls=implicit_tls,
            # STARTTLS whenever the server offers it (None), never on smtps (TLS already).
            start_tls=False if implicit_tls else None,
            timeout=30,
        )
    except (aiosmtplib.SMTPException, OSError) as error:
        raise DeliveryFailed(f"SMTP: {error}") from error


def webhook_signature_headers(secret: str, body: str, now: int | None = None) -> dict[str, str]:
    """Certifier's `X-Webhook-Signature` (hex HMAC-SHA256 of the body) that existing receivers
    check, and a Stripe-style `Laurel-Signature` over `timestamp.body` against replays."""
    timestamp = int(now if now is not None else time.time())
    plain = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    timed = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Webhook-Signature": plain, "Laurel-Signature": f"t={timestamp},v1={timed}"}


async def refuse_private_destination(url: str) -> None:
    """Refuse URLs that resolve to private, loopback, link-local or otherwise internal addresses.

    Checked when an endpoint is saved and again before every delivery, since a name can be made
    to resolve elsewhere later (DNS rebinding).
    """
    host = urlsplit(url).hostname
    if not host:
        raise DeliveryFailed("the URL has no host")
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None)
    except OSError as error:
        raise DeliveryFailed(f"cannot resolve {host}: {error}") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise DeliveryFailed(f"{host} resolves to a non-public address ({address})")


async def post_webhook(
    client: httpx.AsyncClient,
    settings: Settings,
    *,
    url: str,
    secret: str,
    body: str,
    event_id: str,
) -> int:
    if not settings.webhooks_allow_private_addresses:
        await refuse_private_destination(url)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Laurel-Webhooks/1",
        "Laurel-Event-Id": event_id,
        **webhook_signature_headers(secret, body),
    }
    try:
        response = await client.post(
            url, content=body.encode(), headers=headers, timeout=settings.webhook_timeout_seconds
        )
    except httpx.HTTPError as error:
        raise DeliveryFailed(f"{type(error).__name__}: {error}") from error
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"the endpoint answered {response.status_code}", response.status_code)
    return response.status_code
