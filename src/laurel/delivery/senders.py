"""Talking to the outside: SMTP for email (aiosmtplib), HTTP for webhooks (httpx)."""

import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib
import httpx

from laurel.config import Settings
from laurel.delivery.signatures import webhook_signature_headers
from laurel.kit.outbound import DestinationRefused


class DeliveryFailed(Exception):
    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


# C0 and C1 controls (CR and LF among them) and Unicode's line and paragraph separators.
_NOT_IN_A_HEADER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(value: str) -> str:
    """A header value on one line: control characters become spaces, runs of spaces one."""
    return " ".join(_NOT_IN_A_HEADER.sub(" ", value).split())


def _recipient(message: dict[str, str]) -> Address:
    """`to` must be one bare address; a display name comes apart, as `to_name`, so that no
    name can add a recipient or end the header."""
    try:
        address = Address(addr_spec=message["to"])
    except (ValueError, IndexError):
        address = None
    if address is None or address.addr_spec != message["to"] or "@" not in address.addr_spec:
        raise DeliveryFailed(f"the recipient {message['to']!r} is not one email address")
    return Address(
        display_name=header_text(message.get("to_name", "")),
        username=address.username,
        domain=address.domain,
    )


def email_message(sender: str, message: dict[str, str]) -> EmailMessage:
    """The MIME message of an outbox email job: text/plain, and text/html beside it when the job
    has one (jobs queued before emails had an HTML part have only text)."""
    email = EmailMessage()
    email["From"] = header_text(sender)
    email["To"] = _recipient(message)
    email["Subject"] = header_text(message["subject"])
    email["Message-ID"] = header_text(message["message_id"])
    email.set_content(message["text"])
    if message.get("html"):
        email.add_alternative(message["html"], subtype="html")
    return email


async def send_email(settings: Settings, message: dict[str, str]) -> None:
    """Send one message. Every header value is made one line here, whatever built the message:
    this is the one place messages become SMTP, so no template, recipient or group name can
    inject a header. The envelope goes to `to` alone, never to addresses read from headers."""
    if settings.smtp_url is None:
        raise DeliveryFailed("no SMTP server is configured (LAUREL_SMTP_URL)")
    url = urlsplit(settings.smtp_url)
    recipient = _recipient(message)
    email = email_message(settings.smtp_from, message)
    implicit_tls = url.scheme == "smtps"
    try:
        await aiosmtplib.send(
            email,
            recipients=[recipient.addr_spec],
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


@dataclass(frozen=True)
class WebhookDelivery:
    """One delivery of an event to one endpoint: where, what, and the secret that signs it."""

    url: str
    secret: str
    body: str
    delivery_id: str
    event_id: str


async def post_webhook(
    client: httpx.AsyncClient, settings: Settings, delivery: WebhookDelivery
) -> int:
    """POST one delivery, signed. `client` is the worker's public-only client (kit/outbound.py),
    which checks the address it connects to; a redirect is an answer, never followed."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Laurel-Webhooks/1",
        "Laurel-Event-Id": delivery.event_id,
        **webhook_signature_headers(delivery.secret, delivery.body, delivery.delivery_id),
    }
    return await post_json(client, settings, delivery.url, delivery.body, headers)


async def post_json(
    client: httpx.AsyncClient, settings: Settings, url: str, body: str, headers: dict[str, str]
) -> int:
    """POST a JSON body through the public-only client; a 2xx status, else DeliveryFailed."""
    try:
        response = await client.post(
            url,
            content=body.encode(),
            headers=headers,
            timeout=settings.webhook_timeout_seconds,
            follow_redirects=False,
        )
    except DestinationRefused as refused:
        raise DeliveryFailed(f"refused: {refused}") from None
    except httpx.HTTPError as error:
        raise DeliveryFailed(f"{type(error).__name__}: {error}") from error
    if 300 <= response.status_code < 400:
        raise DeliveryFailed(
            f"the endpoint answered {response.status_code}; redirects are not followed",
            response.status_code,
        )
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"the endpoint answered {response.status_code}", response.status_code)
    return response.status_code
