"""What a credential's issue and send set off, built in one place for every caller.

Issuing queues the signing job and `credential.issued`; sending queues the email and
`credential.sent`; creating announces `credential.created`. The API (`Credentials`), the
scheduled issue (`credentials/tasks.py`) and the CSV importer all build these jobs with
`CredentialJobs`, so they cannot drift apart. A credential without a recipient email gets no
email and no `credential.sent`: the API refuses to `send` it, create-issue-send and the importer
issue it and skip the email.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.config import Settings
from laurel.credentials.schemas import CredentialRead
from laurel.delivery.jobs import email_job, signing_job
from laurel.email_templates.rendering import EmailText, render_credential_email
from laurel.kit.errors import NotFound
from laurel.kit.ids import new_id
from laurel.links import PublicLinks
from laurel.organizations.repository import OrganizationRepository
from laurel.webhooks.events import credential_event_jobs
from laurel.webhooks.repository import WebhookRepository

# The answer's header when create-issue-send issued a credential it could not email.
DELIVERY_HEADER = "Laurel-Delivery"
SKIPPED_NO_EMAIL = 'skipped; reason="no recipient email"'


@dataclass(frozen=True)
class EmailSender:
    """The organization an email comes from, as the email shows it."""

    organization_id: str
    name: str
    logo: str | None


async def _email_sender(session: AsyncSession, organization_id: str) -> EmailSender:
    found = await OrganizationRepository(session).name_and_logo(organization_id)
    if found is None:
        raise NotFound()
    name, logo = found
    return EmailSender(organization_id, name, logo)


def _credential_email_job(
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


@dataclass(frozen=True)
class Change:
    """What happened to one credential: each flag sets off its jobs."""

    created: bool = False
    issued: bool = False
    # Email it, when it has a recipient email (and announce `credential.sent` then).
    sent: bool = False


@dataclass
class ChangeJobs:
    """The outbox jobs of one change, and whether an email is among them."""

    jobs: list[dict[str, Any]] = field(default_factory=list)
    emailed: bool = False


@dataclass(frozen=True)
class _Email:
    sender: EmailSender
    template: EmailText


class CredentialJobs:
    """Builds the jobs that creating, issuing and sending credentials set off, for one organization.

    What the jobs need from the database (the webhook endpoints, the email's sender) is read once
    by `load`; building then touches no session, so the importer's batches share one builder.
    """

    def __init__(
        self,
        settings: Settings,
        organization_id: str,
        endpoints: list[Any],
        email: _Email | None,
    ) -> None:
        self.settings = settings
        self.organization_id = organization_id
        self._endpoints = endpoints
        self._email = email

    @classmethod
    async def load(
        cls,
        session: AsyncSession,
        settings: Settings,
        organization_id: str,
        *,
        email_template: EmailText | None,
    ) -> "CredentialJobs":
        """Read what the jobs need; `email_template` is None when nothing will be emailed."""
        endpoints = await WebhookRepository(session).enabled(organization_id)
        email = None
        if email_template is not None:
            email = _Email(await _email_sender(session, organization_id), email_template)
        return cls(settings, organization_id, endpoints, email)

    def for_change(
        self,
        credential_id: str,
        read: Callable[[], CredentialRead],
        change: Change,
        *,
        message_id: str | None = None,
    ) -> ChangeJobs:
        """The jobs of `change`: signing, the email, then the webhook events, in that order.

        `read` makes the credential as the API shows it, and is called only when the email or a
        subscribed endpoint needs it: the importer's rows mostly need neither. `message_id`
        defaults to a new one per send, so a receiving server can spot a repeat.
        """
        credential = cache(read)  # made at most once, and only if needed
        built = ChangeJobs()
        if change.issued:
            built.jobs.append(signing_job(self.organization_id, credential_id))
        if change.sent:
            email = self._email_job(credential(), message_id)
            if email is not None:
                built.jobs.append(email)
                built.emailed = True
        event_types = [
            event_type
            for event_type, happened in (
                ("credential.created", change.created),
                ("credential.issued", change.issued),
                ("credential.sent", built.emailed),
            )
            if happened
        ]
        if self._wanted(event_types):
            body = credential().model_dump(mode="json", by_alias=True)
            built.jobs += credential_event_jobs(
                self._endpoints, self.organization_id, event_types, body
            )
        return built

    def _email_job(
        self, credential: CredentialRead, message_id: str | None
    ) -> dict[str, Any] | None:
        if not credential.recipient.email:
            return None
        if self._email is None:
            raise RuntimeError("CredentialJobs.load was told nothing would be emailed")
        return _credential_email_job(
            self.settings,
            self._email.sender,
            self._email.template,
            credential,
            message_id=message_id or f"<{credential.id}.{new_id()}@laurel>",
        )

    def _wanted(self, event_types: list[str]) -> bool:
        # Most organizations have no endpoint: the event body, a full serialization, is skipped.
        return any(
            event in endpoint.event_types for endpoint in self._endpoints for event in event_types
        )
