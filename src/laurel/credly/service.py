"""Open edX's Credly calls, answered with Laurel's organizations, templates and credentials.

A badge template is a credential template (group); a badge is a credential issued and emailed
from it through `Credentials.create_issue_send`, revoked through `vc`'s revoke. Ids are UUIDs,
as Open edX stores them in UUIDFields: the template's and organization's ids spelled as UUIDs,
the credential's public id for a badge.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal
from laurel.config import Settings
from laurel.credentials.schemas import CreateIssueSendRequest, CredentialRead
from laurel.credentials.service import Credentials
from laurel.credly.api import Unprocessable
from laurel.credly.repository import CredlyRepository
from laurel.credly.schemas import BadgeCreate
from laurel.gallery.service import preview_starter
from laurel.groups.repository import GroupRepository
from laurel.groups.schemas import image_design
from laurel.kit.errors import NotFound
from laurel.kit.ids import id_of_uuid, uuid_of
from laurel.kit.timestamps import format_timestamp
from laurel.links import PublicLinks
from laurel.openedx.events import template_description
from laurel.openedx.repository import OpenEdxRepository
from laurel.rendering.pool import RenderPool
from laurel.rendering.service import Rendered, preview_design, public_principal
from laurel.tokens import service as tokens
from laurel.vc.service import revoke_credential

# The image of a template without designs.
FALLBACK_STARTER = "medal-round-badge"

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
ACTIVE = "active"
ROTATED_KEY_NAME = "Open edX (rotated)"


class BadgeNotFound(NotFound):
    default_message = "The badge does not exist."


class EventNotFound(NotFound):
    default_message = "The event does not exist."


def _id_of(value: str) -> str | None:
    try:
        return id_of_uuid(UUID(value))
    except ValueError:
        return None


def _credly_time(value: datetime | None) -> str | None:
    """Credly's timestamps: `2026-11-30T00:37:27.000Z`."""
    if value is None:
        return None
    return format_timestamp(value if value.tzinfo else value.replace(tzinfo=UTC))


@dataclass(frozen=True)
class Page:
    number: int
    per: int


class CredlyApi:
    """The Credly-shaped operations of one request: its session, organization and settings."""

    def __init__(self, session: AsyncSession, principal: Principal, settings: Settings) -> None:
        self.session = session
        self.principal = principal
        self.settings = settings
        self.links = PublicLinks.of(settings)
        self.repository = CredlyRepository(session)

    @property
    def organization_id(self) -> str:
        return self.principal.organization_id

    async def organization(self) -> dict[str, Any]:
        row = await self.repository.organization(self.organization_id)
        if row is None:
            raise NotFound()
        return {
            "id": uuid_of(row.id),
            "name": row.name,
            "website_url": row.issuer_url,
            "contact_email": row.issuer_email,
            "photo_url": row.issuer_image,
        }

    async def templates(self, state: str | None, page: Page) -> tuple[list[dict[str, Any]], int]:
        """A page of templates and how many there are. Every stored template is active; a
        deleted one is gone (`archived` only in its event), so other states list nothing."""
        if state not in (None, ACTIVE):
            return [], 0
        total = await self.repository.count_templates(self.organization_id)
        rows = await self.repository.templates(
            self.organization_id, (page.number - 1) * page.per, page.per
        )
        owner = await OpenEdxRepository(self.session).organization_name(self.organization_id)
        templates = [
            self.template(row.id, row.name, ACTIVE, template_description(row.name, owner))
            for row in rows
        ]
        return templates, total

    def template(self, group_id: str, name: str, state: str, description: str) -> dict[str, Any]:
        template_id = uuid_of(group_id)
        return {
            "id": template_id,
            "name": name,
            "state": state,
            "description": description,
            "image_url": self.links.badge_template_image(template_id),
            "owner": {"id": uuid_of(self.organization_id)},
        }

    async def event(self, event_uuid: str) -> dict[str, Any]:
        event_id = _id_of(event_uuid)
        row = None
        if event_id is not None:
            row = await OpenEdxRepository(self.session).get_event(self.organization_id, event_id)
        if row is None:
            raise EventNotFound()
        template = self.template(row.group_id, row.name, row.state, row.description)
        return {"id": uuid_of(row.id), "event_type": row.event_type, "badge_template": template}

    async def award(self, request: BadgeCreate) -> tuple[dict[str, Any], bool]:
        """The badge for this template and email, issued and emailed now unless it exists
        (Open edX awards again after an error); returns it and whether it is new."""
        group_id = _id_of(request.badge_template_id)
        email = request.recipient_email.lower()
        template = None
        if group_id is not None:
            template = await self.repository.lock_template(self.organization_id, group_id)
        if template is None:
            raise Unprocessable(
                "badge_template_id: no active badge template of this organization has this id",
                param="badge_template_id",
            )
        claim = await self.repository.claim(self.organization_id, template.id, email)
        if claim is None:
            existing = await self.repository.credential_of(self.organization_id, template.id, email)
            if existing is None:  # the other award failed and rolled back: ask again
                raise Unprocessable("The badge is being awarded; retry")
            return await self._badge(credential_id=existing), False
        issued = await self._issue(request, template.id, email)
        await self.repository.settle(claim, issued.id)
        # Built from what was just written: a new badge is pending, not viewed, not revoked.
        badge = self._badge_body(
            public_id=issued.public_id,
            group_id=template.id,
            group_name=template.name,
            state="pending",
            recipient_email=issued.recipient.email,
            issued_to=issued.recipient.name,
            created_at=issued.created_at,
        )
        return badge, True

    async def _issue(self, request: BadgeCreate, group_id: str, email: str) -> CredentialRead:
        issued_at = request.issued_at
        data = CreateIssueSendRequest.model_validate(
            {
                "group_id": group_id,
                "recipient": {"name": request.recipient_name, "email": email},
                "issue_date": issued_at.date() if issued_at else None,
            }
        )
        credentials = Credentials(self.session, self.principal, self.settings)
        try:
            created = await credentials.create_issue_send(data)
        except IntegrityError:
            # The template was deleted under the award (SQLite has no row lock to wait on).
            raise Unprocessable(
                "badge_template_id: the badge template was deleted", param="badge_template_id"
            ) from None
        return created.credential

    async def rotate_key(self) -> str:
        """A new API token named as the one it replaces, which is revoked."""
        created = await tokens.create_token(self.session, self.organization_id, ROTATED_KEY_NAME)
        await tokens.revoke_token(self.session, self.principal.token_id)
        return created.secret

    async def revoke(self, badge_uuid: str, reason: str) -> dict[str, Any]:
        row = await self.repository.badge(self.organization_id, public_id=badge_uuid.lower())
        if row is None:
            raise BadgeNotFound()
        if row.revoked_at is None:
            # A revoke sent twice answers the revoked badge (Open edX does not retry, an
            # operator might); the status list changes once.
            await revoke_credential(
                self.session, self.settings, self.principal, row.id, reason or "Revoked"
            )
        return await self._badge(credential_id=row.id)

    async def _badge(self, *, credential_id: str) -> dict[str, Any]:
        row = await self.repository.badge(self.organization_id, credential_id=credential_id)
        if row is None:
            raise BadgeNotFound()
        return self._badge_body(
            public_id=row.public_id,
            group_id=row.group_id,
            group_name=row.group_name,
            state="revoked" if row.revoked_at else "accepted" if row.viewed else "pending",
            recipient_email=row.recipient_email,
            issued_to=row.recipient_name,
            created_at=row.created_at,
            accepted_at=row.accepted_at,
            revoked_at=row.revoked_at,
            revocation_reason=row.revocation_reason,
        )

    def _badge_body(  # noqa: PLR0913 (the badge's fields, by name)
        self,
        *,
        public_id: str,
        group_id: str,
        group_name: str,
        state: str,
        recipient_email: str | None,
        issued_to: str,
        created_at: datetime,
        accepted_at: datetime | None = None,
        revoked_at: datetime | None = None,
        revocation_reason: str | None = None,
    ) -> dict[str, Any]:
        template_id = uuid_of(group_id)
        return {
            "id": public_id,
            "state": state,
            "recipient_email": recipient_email,
            "issued_to": issued_to,
            "issued_at": _credly_time(created_at),
            "accepted_at": _credly_time(accepted_at),
            "revoked_at": _credly_time(revoked_at),
            "revocation_reason": revocation_reason,
            "badge_url": self.links.credential_page(public_id),
            "image_url": self.links.badge_template_image(template_id),
            "badge_template": {
                "id": template_id,
                "name": group_name,
                "image_url": self.links.badge_template_image(template_id),
            },
        }


async def template_image(
    session: AsyncSession, settings: Settings, renderer: RenderPool, template_uuid: str
) -> Rendered:
    """A template's image as Open edX stores it: its badge design (groups' `image_design`)
    drawn with sample values, or the round medal starter for a template without designs."""
    group_id = _id_of(template_uuid)
    organization_id = await GroupRepository(session).organization_of(group_id) if group_id else None
    if group_id is None or organization_id is None:
        raise NotFound()
    view = await GroupRepository(session).get_view(organization_id, group_id)
    design_id = image_design(view.designs) if view is not None else None
    if design_id is None:
        return await preview_starter(session, settings, renderer, FALLBACK_STARTER, "png")
    principal = public_principal(organization_id)
    return await preview_design(session, settings, renderer, principal, design_id, "png")


def page_count(total: int, per: int) -> int:
    return max(1, math.ceil(total / per))
