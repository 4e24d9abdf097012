"""Email delivery against a real SMTP server, and the outbox when there is none."""

import asyncio
import os
import re
import subprocess
import sys
from email.message import Message
from email.utils import parseaddr

import pytest
from sqlalchemy import update

from laurel.app import create_app
from laurel.config import Settings
from laurel.db import Database
from laurel.delivery.repository import OutboxRepository
from laurel.delivery.senders import DeliveryFailed, send_email
from laurel.kit.timestamps import utc_now
from laurel.models import OutboxJob
from tests.conftest import CertifierClient, Tenant, make_client
from tests.delivery.conftest import deliver_due, email_parts
from tests.fixtures.mail import SmtpServer
from tests.fixtures.processes import free_port


def laurel(settings: Settings, *args: str) -> str:
    env = {
        **os.environ,
        "LAUREL_DATABASE_URL": settings.database_url,
        "LAUREL_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "laurel", *args]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, check=True
    ).stdout


async def issue_and_send(settings: Settings, tenant: Tenant, email: str = "ada@example.org") -> str:
    app = create_app(settings)
    async with make_client(app) as http:
        api = CertifierClient(http, tenant)
        group = await api.create_group(name="Data Science", designIds=[await api.create_design()])
        response = await api.request(
            "POST",
            "/v1/credentials/create-issue-send",
            json={"groupId": group["id"], "recipient": {"name": "Ada", "email": email}},
        )
        assert response.status_code == 200, response.text
    await app.state.database.dispose()
    return str(response.json()["publicId"])


async def test_a_sent_credential_arrives_by_email(
    settings: Settings, database: Database, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    configured = settings.model_copy(
        update={"smtp_url": smtp_server.url, "public_url": "https://laurel.example"}
    )
    public_id = await issue_and_send(configured, tenant)
    assert smtp_server.catcher.messages == [], "nothing leaves before the worker runs"
    assert await deliver_due(database, configured) == 2, "the email, and signing the credential"
    (message,) = smtp_server.catcher.messages
    assert parseaddr(str(message["To"]))[1] == "ada@example.org"
    assert "Data Science" in message["Subject"]
    assert "Acme Academy" in message["Subject"]
    parts = email_parts(message)
    assert list(parts) == ["text/plain", "text/html"]
    assert f"https://laurel.example/credentials/{public_id}\n" in parts["text/plain"]
    async with database.sessions() as session:
        jobs = await OutboxRepository(session).list_jobs(None, 5)
    assert {(job.kind, job.status) for job in jobs} == {
        ("email", "delivered"),
        ("sign", "delivered"),
    }
    assert await deliver_due(database, configured) == 0, "a delivered email is not sent again"


async def test_an_unreachable_smtp_server_is_retried_later(
    settings: Settings, database: Database, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    down = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{free_port()}"})
    await issue_and_send(down, tenant)
    await deliver_due(database, down)
    async with database.sessions() as session:
        (job,) = await OutboxRepository(session).list_jobs("pending", 5)
    assert job.kind == "email"
    assert job.attempts == 1
    assert job.next_attempt_at > utc_now()
    assert "SMTP" in job.last_error
    assert await deliver_due(database, down) == 0, "not due yet"

    async with database.sessions() as session, session.begin():
        await session.execute(update(OutboxJob).values(next_attempt_at=utc_now()))
    up = settings.model_copy(update={"smtp_url": smtp_server.url})
    assert await deliver_due(database, up) == 1
    assert len(smtp_server.catcher.messages) == 1


async def test_without_smtp_emails_are_kept_and_listed(
    settings: Settings, database: Database, tenant: Tenant
) -> None:
    await issue_and_send(settings, tenant, email="kept@example.org")
    assert await deliver_due(database, settings) == 1, "only the signing; the email is kept"
    listing = await asyncio.to_thread(laurel, settings, "outbox", "list", "--status", "held")
    (row,) = [line for line in listing.splitlines() if "kept@example.org" in line]
    job_id = row.split("\t")[0]
    shown = await asyncio.to_thread(laurel, settings, "outbox", "show", job_id)
    assert "to: kept@example.org" in shown
    assert "has issued you the credential" in shown


HOSTILE = "\r\nBcc: victim@example.org"


def unfolded(message: Message, name: str) -> list[str]:
    """Each `name` header as one logical line (RFC 5322 folding undone: CRLF before a space)."""
    return [re.sub(r"\r\n(?=[ \t])", "", str(value)) for value in message.get_all(name, [])]


async def test_names_cannot_inject_headers(
    settings: Settings, database: Database, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    """A template and a recipient named with line breaks: one Subject line, no Bcc, and the
    message goes to the recipient alone."""
    configured = settings.model_copy(update={"smtp_url": smtp_server.url})
    app = create_app(configured)
    async with make_client(app) as http:
        api = CertifierClient(http, tenant)
        design = await api.create_design()
        group = await api.create_group(name=f"Data\nScience{HOSTILE}", designIds=[design])
        response = await api.request(
            "POST",
            "/v1/credentials/create-issue-send",
            json={
                "groupId": group["id"],
                "recipient": {"name": f"Eve{HOSTILE}", "email": "ada@example.org"},
            },
        )
        assert response.status_code == 200, response.text
    await app.state.database.dispose()
    await deliver_due(database, configured)

    (message,) = smtp_server.catcher.messages
    assert smtp_server.catcher.envelopes == [["ada@example.org"]]
    assert message["Bcc"] is None
    assert unfolded(message, "Subject") == [
        "Acme Academy has issued you a credential: Data Science Bcc: victim@example.org"
    ]
    (to,) = unfolded(message, "To")
    assert parseaddr(to)[1] == "ada@example.org"


async def test_every_header_value_is_one_line(settings: Settings, smtp_server: SmtpServer) -> None:
    """Whatever builds the message: the sender flattens every header and addresses the envelope
    to `to` alone (a display name comes as `to_name`)."""
    configured = settings.model_copy(
        update={"smtp_url": smtp_server.url, "smtp_from": f"Laurel <laurel@example.org>{HOSTILE}"}
    )
    await send_email(
        configured,
        {
            "to": "ada@example.org",
            "to_name": f"Eve{HOSTILE}\x00\u2028",
            "subject": f"Hello{HOSTILE}\n\nbody?",
            "message_id": f"<1@laurel.example>{HOSTILE}",
            "text": "Hello,\r\nBcc: this line is the body, where it is harmless.\n",
        },
    )
    (message,) = smtp_server.catcher.messages
    assert smtp_server.catcher.envelopes == [["ada@example.org"]]
    assert message["Bcc"] is None
    assert unfolded(message, "To") == ['"Eve Bcc: victim@example.org" <ada@example.org>']
    assert unfolded(message, "Subject") == ["Hello Bcc: victim@example.org body?"]
    # The message-id parser keeps the id and drops the rest of the (one) line.
    assert [value.strip() for value in unfolded(message, "Message-ID")] == ["<1@laurel.example>"]
    assert len(unfolded(message, "From")) == 1


@pytest.mark.parametrize(
    "to", ["ada@example.org, victim@example.org", f"ada@example.org{HOSTILE}", "Ada <a@b.org>"]
)
async def test_a_recipient_must_be_one_bare_address(
    settings: Settings, smtp_server: SmtpServer, to: str
) -> None:
    configured = settings.model_copy(update={"smtp_url": smtp_server.url})
    message = {"to": to, "subject": "Hi", "message_id": "<2@laurel.example>", "text": "Hi"}
    with pytest.raises(DeliveryFailed, match="is not one email address"):
        await send_email(configured, message)
    assert smtp_server.catcher.messages == []
