"""The email that brings a credential to its recipient: built here, for the API and the importer.

Both read the sender (`email_sender`) and the chosen template (`email_templates.service.
chosen_template`) once, then call `credential_email_job` for each credential. A credential
without a recipient email gets no job: the API refuses to `send` it, create-issue-send and the
importer issue it and skip the email.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.config import Settings
from laurel.credentials.schemas import CredentialRead
from laurel.delivery.jobs import email_job
from laurel.email_templates.rendering import EmailText, render_credential_email
from laurel.kit.errors import NotFound
from laurel.links import PublicLinks
from laurel.organizations.repository import OrganizationRepository

# The answer's header when create-issue-send issued a credential it could not email.
DELIVERY_HEADER = "Laurel-Delivery"
SKIPPED_NO_EMAIL = 'skipped; reason="no recipient email"'


@dataclass(frozen=True)
class EmailSender:
    """The organization an email comes from, as the email shows it."""

    organization_id: str
    name: str
    logo: str | None


async def email_sender(session: AsyncSession, organization_id: str) -> EmailSender:
    found = await OrganizationRepository(session).name_and_logo(organization_id)
    if found is None:
        raise NotFound()
    name, logo = found
    return EmailSender(organization_id, name, logo)


def credential_email_job(
    settings: Settings,
    sender: EmailSender,
    template: EmailText,
    credential: CredentialRead,
    *,
    message_id: str,
) -> dict[str, Any] | None:
    """The outbox job emailing `credential` to its recipient; None when it has no email."""
    to = credential.recipient.email
    if not to:
        return None
    values = {**credential.attributes, "issuer.name": sender.name}
    rendered = render_credential_email(
        template,
        values,
        issuer=sender.name,
        logo=sender.logo,
        heading=credential.attributes.get("group.name") or "",
        link=PublicLinks.of(settings).credential_page(credential.public_id),
    )
    message = {
        "to": to,
        "to_name": credential.recipient.name,
        "subject": rendered.subject,
        "text": rendered.text,
        "html": rendered.html,
        "message_id": message_id,
        "credential_id": credential.id,
    }
    return email_job(settings, sender.organization_id, message)
