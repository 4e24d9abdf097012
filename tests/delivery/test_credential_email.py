"""The credential email as a recipient gets it, through a real SMTP server: both parts, the
organization's branding, escaped values, a link that opens the credential's page, the chosen
template, and no way to add a mail header."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import Message
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

import pytest

from laurel.app import create_app
from laurel.config import Settings
from laurel.db import Database
from laurel.delivery.jobs import email_job
from laurel.delivery.repository import OutboxRepository
from laurel.email_templates.rendering import DEFAULT_TEMPLATE
from laurel.links import PublicLinks
from tests.conftest import CertifierClient, Tenant, TenantFactory, make_client
from tests.delivery.conftest import HtmlLinks, deliver_due, email_parts
from tests.fixtures.mail import SmtpServer
from tests.pages.conftest import BROWSER

PUBLIC_URL = "https://laurel.example"
LOGO = "https://cdn.example.org/acme/logo.png?size=2&v=3"


@dataclass
class Mail:
    """An API client of an app that sends email to the test's SMTP server."""

    api: CertifierClient
    settings: Settings
    database: Database
    smtp: SmtpServer

    async def group(self, **body: object) -> str:
        design = await self.api.create_design()
        return str(
            (await self.api.create_group(name="Data Science", designIds=[design], **body))["id"]
        )

    async def template(self, name: str, subject: str, body: str = "Hello [recipient.name]") -> str:
        response = await self.api.request(
            "POST", "/v1/email-templates", json={"name": name, "subject": subject, "body": body}
        )
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    async def create_issue_send(self, group_id: str, **body: object) -> dict[str, Any]:
        body.setdefault("recipient", {"name": "Ada Lovelace", "email": "ada@example.org"})
        response = await self.api.request(
            "POST", "/v1/credentials/create-issue-send", json={"groupId": group_id, **body}
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def delivered(self) -> list[Message]:
        await deliver_due(self.database, self.settings)
        return self.smtp.catcher.messages


async def mail_for(
    settings: Settings, database: Database, tenant: Tenant, smtp: SmtpServer
) -> AsyncIterator[Mail]:
    configured = settings.model_copy(update={"smtp_url": smtp.url, "public_url": PUBLIC_URL})
    app = create_app(configured)
    async with make_client(app) as http:
        yield Mail(CertifierClient(http, tenant), configured, database, smtp)
    await app.state.database.dispose()


@pytest.fixture
async def mail(
    settings: Settings, database: Database, tenant: Tenant, smtp_server: SmtpServer
) -> AsyncIterator[Mail]:
    async for configured in mail_for(settings, database, tenant, smtp_server):
        yield configured


async def test_the_email_is_branded_escaped_and_links_to_the_credential_page(mail: Mail) -> None:
    profile = await mail.api.request("PATCH", "/v1/issuer", json={"image": LOGO})
    assert profile.status_code == 200, profile.text
    name = 'Ada <script>alert(1)</script> & "Co"'
    credential = await mail.create_issue_send(
        await mail.group(), recipient={"name": name, "email": "ada@example.org"}
    )
    (message,) = await mail.delivered()

    assert message.get_content_type() == "multipart/alternative"
    parts = email_parts(message)
    assert list(parts) == ["text/plain", "text/html"]
    text, html = parts["text/plain"], parts["text/html"]
    page_url = PublicLinks.of(mail.settings).credential_page(str(credential["publicId"]))
    assert page_url == f"{PUBLIC_URL}/credentials/{credential['publicId']}"

    assert text.startswith(f"Hello {name},\n\n")
    assert 'Acme Academy has issued you the credential "Data Science".' in text
    assert f"View your credential:\n{page_url}\n" in text
    assert "<" not in text.replace(name, ""), "the text part has no markup of its own"

    assert "<script>" not in html
    assert "Ada &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Co&#34;" in html
    assert "Acme Academy" in html
    assert "<link" not in html and "<style" not in html, "inline styles only"
    assert "max-width:600px" in html
    found = HtmlLinks(html)
    assert found.links == [(page_url, "View your credential"), (page_url, page_url)]
    assert [(image["src"], image["alt"]) for image in found.images] == [(LOGO, "Acme Academy")]

    # The recipient follows the link: the page of their credential, not a 404.
    link = urlsplit(page_url)
    assert f"{link.scheme}://{link.netloc}" == PUBLIC_URL
    page = await mail.api.http.get(link.path, headers=BROWSER)
    assert page.status_code == 200
    assert "Ada &lt;script&gt;" in page.text


async def test_without_a_logo_the_email_names_the_organization(mail: Mail) -> None:
    await mail.create_issue_send(await mail.group())
    (message,) = await mail.delivered()
    html = email_parts(message)["text/html"]
    assert HtmlLinks(html).images == []
    assert "Acme Academy" in html


async def test_the_send_request_then_the_credential_template_choose_the_email(
    mail: Mail,
) -> None:
    defined = await mail.api.request(
        "POST", "/v1/attributes", json={"tag": "mentor", "name": "Mentor"}
    )
    assert defined.status_code == 200
    chosen_by_group = await mail.template("Group's", "Group's pick for [recipient.name]")
    chosen_by_request = await mail.template(
        "Request's",
        "Request's pick: [group.name]",
        body="Dear [recipient.name],\n\nyour mentor [custom.mentor] says well done.",
    )
    with_template = await mail.group(emailTemplateId=chosen_by_group)
    without_template = await mail.group()

    await mail.create_issue_send(without_template)
    await mail.create_issue_send(with_template)
    await mail.create_issue_send(
        with_template,
        emailTemplateId=chosen_by_request,
        customAttributes={"custom.mentor": "Grace <Hopper>"},
    )
    credential = await mail.create_issue_send(with_template)
    sent = await mail.api.request(
        "POST",
        f"/v1/credentials/{credential['id']}/send",
        json={"deliveryMethod": "email", "emailTemplateId": chosen_by_request},
    )
    assert sent.status_code == 200, sent.text
    messages = await mail.delivered()
    assert [str(message["Subject"]) for message in messages] == [
        "Acme Academy has issued you a credential: Data Science",
        "Group's pick for Ada Lovelace",
        "Request's pick: Data Science",
        "Group's pick for Ada Lovelace",
        "Request's pick: Data Science",
    ]
    parts = email_parts(messages[2])
    assert parts["text/plain"].startswith(
        "Dear Ada Lovelace,\n\nyour mentor Grace <Hopper> says well done.\n\n"
    )
    assert "your mentor Grace &lt;Hopper&gt; says well done." in parts["text/html"]


async def test_the_built_in_email_reads_as_documented(mail: Mail) -> None:
    await mail.create_issue_send(await mail.group())
    (message,) = await mail.delivered()
    text = email_parts(message)["text/plain"]
    expected_body = (
        DEFAULT_TEMPLATE.body.replace("[recipient.name]", "Ada Lovelace")
        .replace("[issuer.name]", "Acme Academy")
        .replace("[group.name]", "Data Science")
    )
    assert text.startswith(expected_body + "\n\nView your credential:\n")
    assert text.endswith(
        "-- \nYou received this email because Acme Academy issued you a credential.\n"
        "Sent with Laurel.\n"
    )


@pytest.mark.parametrize(
    "paragraphs",
    [
        "One\n\nTwo\nstill two\n\n\n\nThree",
        "One\r\n\r\nTwo\r\nstill two\r\n \r\nThree",
    ],
)
async def test_paragraphs_and_lines_of_the_body_are_kept(mail: Mail, paragraphs: str) -> None:
    template = await mail.template("Paragraphs", "Paragraphs", body=paragraphs)
    await mail.create_issue_send(await mail.group(emailTemplateId=template))
    (message,) = await mail.delivered()
    parts = email_parts(message)
    assert parts["text/plain"].startswith("One\n\nTwo\nstill two\n\nThree\n\n")
    html = parts["text/html"]
    assert ">One</p>" in html
    assert ">Two<br>still two</p>" in html
    assert ">Three</p>" in html


async def test_names_cannot_add_mail_headers(
    settings: Settings, database: Database, make_tenant: TenantFactory, smtp_server: SmtpServer
) -> None:
    tenant = await make_tenant(name="Acme\r\nBcc: evil@example.org")
    async for mail in mail_for(settings, database, tenant, smtp_server):
        template = await mail.template("Names", "[recipient.name] / [group.name]")
        design = await mail.api.create_design()
        group = await mail.api.create_group(
            name="Data\nX-Group: injected", designIds=[design], emailTemplateId=template
        )
        await mail.create_issue_send(
            str(group["id"]),
            recipient={"name": "Ada\r\nX-Injected: yes", "email": "ada@example.org"},
        )
        default = await mail.api.create_group(name="Plain", designIds=[design])
        await mail.create_issue_send(str(default["id"]))
        messages = await mail.delivered()
    assert len(messages) == 2
    for message in messages:
        assert parseaddr(str(message["To"]))[1] == "ada@example.org"
        for header in ("Bcc", "X-Injected", "X-Group"):
            assert message[header] is None, header
    subjects = [" ".join(str(message["Subject"]).split()) for message in messages]
    assert subjects == [
        "Ada X-Injected: yes / Data X-Group: injected",
        "Acme Bcc: evil@example.org has issued you a credential: Plain",
    ]
    assert "Acme Bcc: evil@example.org" in email_parts(messages[1])["text/html"]


async def test_an_email_queued_before_html_parts_is_still_sent(
    settings: Settings, database: Database, tenant: Tenant, smtp_server: SmtpServer
) -> None:
    configured = settings.model_copy(update={"smtp_url": smtp_server.url})
    old_payload = {
        "to": "ada@example.org",
        "subject": "Old\r\nBcc: evil@example.org",
        "text": "Hello Ada,\n\nan email from the outbox of an older Laurel.\n",
        "message_id": "<old.1@laurel>",
        "credential_id": "01hz2ej4yzdcfkq9fa78nhyj0x",
    }
    async with database.sessions() as session, session.begin():
        await OutboxRepository(session).add(
            [email_job(configured, tenant.organization_id, old_payload)]
        )
    assert await deliver_due(database, configured) == 1
    (message,) = smtp_server.catcher.messages
    assert message.get_content_type() == "text/plain"
    assert email_parts(message) == {"text/plain": old_payload["text"]}
    assert message["Bcc"] is None
    assert " ".join(str(message["Subject"]).split()) == "Old Bcc: evil@example.org"
    async with database.sessions() as session:
        (job,) = await OutboxRepository(session).list_jobs(None, 5)
    assert job.status == "delivered"
