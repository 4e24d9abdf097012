"""The Accredible-shaped API's rules: Laurel's templates, designs and credentials by integer id.

Groups are the organization's credential templates, designs its designs (a template's primary
design is its first badge design, else its first design, else Laurel's round medal starter),
and a credential is created, issued and emailed in one step, as Accredible does. Every id is an
integer alias (repository.py), and an alias of another organization is not found.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.accredible.repository import (
    AccredibleRepository,
    AliasKind,
    AliasRepository,
    GroupRow,
    is_alias,
)
from laurel.accredible.schemas import AccredibleCreateRequest, AccredibleExpiry
from laurel.auth.dependencies import Principal
from laurel.config import Settings
from laurel.credentials.schemas import (
    CreateIssueSendRequest,
    CredentialRead,
    CredentialUpdate,
    RecipientIn,
)
from laurel.credentials.service import Credentials
from laurel.gallery.service import preview_starter
from laurel.groups.schemas import image_design
from laurel.kit.crypto import is_signed, sign_text
from laurel.kit.errors import NotFound
from laurel.kit.timestamps import utc_now
from laurel.links import PublicLinks
from laurel.rendering.pool import RenderPool
from laurel.rendering.service import Rendered, preview_design, public_principal
from laurel.vc.service import revoke_credential

# The image of a template without designs: a design alias of its own per organization.
FALLBACK_STARTER = "medal-round-badge"
_STARTER_PREFIX = "starter:"
# Design images are public (Open edX shows them to learners), but their URLs are signed so
# that counting through the aliases finds no other organization's designs.
_IMAGE_SIGNING = "accredible-design-images"
REVOKED_BY_EXPIRY = (
    "Expired through the Accredible-compatible API: Open edX reports that the learner no "
    "longer meets the badge's requirements"
)


def _primary_design(group: GroupRow) -> str:
    """A template's design shown as its image (groups' rule), else the fallback starter."""
    return image_design(group.designs) or _STARTER_PREFIX + FALLBACK_STARTER


def image_signature(settings: Settings, alias: int) -> str:
    return sign_text(settings.secret_key, _IMAGE_SIGNING, str(alias))


class AccredibleIssuer:
    """One request of an organization through the Accredible-shaped API."""

    def __init__(self, session: AsyncSession, principal: Principal, settings: Settings) -> None:
        self.session = session
        self.principal = principal
        self.settings = settings
        self.aliases = AliasRepository(session)
        self.repository = AccredibleRepository(session)

    @property
    def organization_id(self) -> str:
        return self.principal.organization_id

    async def all_groups(self) -> dict[str, Any]:
        """Every template in one page: Open edX deletes the groups a sync does not list."""
        groups = await self.repository.groups_with_designs(self.organization_id)
        primary = {group.id: self._design_key(_primary_design(group)) for group in groups}
        group_ids = await self.aliases.aliases_of(
            AliasKind.group, self.organization_id, [group.id for group in groups]
        )
        design_ids = await self.aliases.aliases_of(
            AliasKind.design, self.organization_id, primary.values()
        )
        listed = [
            {
                "id": group_ids[group.id],
                "name": group.name,
                "course_name": group.name,
                "course_description": "",
                "primary_design_id": design_ids[primary[group.id]],
                "created_at": group.created_at,
                "updated_at": group.updated_at,
            }
            for group in groups
        ]
        meta = {
            "current_page": 1,
            "next_page": None,
            "prev_page": None,
            "total_pages": 1,
            "total_count": len(listed),
        }
        return {"groups": listed, "meta": meta}

    def _design_key(self, design: str) -> str:
        """The aliased id of a design; a starter's is the organization's own."""
        if design.startswith(_STARTER_PREFIX):
            return f"{design}:{self.organization_id}"
        return design

    async def design(self, alias: int) -> dict[str, Any]:
        laurel_id = await self._own(AliasKind.design, alias)
        is_starter = laurel_id.startswith(_STARTER_PREFIX)
        if (
            not is_starter
            and await self.repository.design_of(self.organization_id, laurel_id) is None
        ):
            raise NotFound()
        signature = image_signature(self.settings, alias)
        url = PublicLinks.of(self.settings).accredible_design_image(alias, signature)
        return {"design": {"id": alias, "rasterized_content_url": url}}

    async def award(self, request: AccredibleCreateRequest) -> dict[str, Any]:
        """The credential of the template to the recipient: made, issued and emailed the
        first time, the same one every time after."""
        data = request.credential
        group_id = await self._own(AliasKind.group, data.group_id)
        # A template deleted since the sync is not found; one being awarded waits to be deleted.
        if not await self.repository.hold_group(self.organization_id, group_id):
            raise NotFound(f"No group {data.group_id}")
        email = data.recipient.email.lower()
        credentials = Credentials(self.session, self.principal, self.settings)
        existing = await self._awarded(credentials, group_id, email)
        if existing is not None:
            return await self._reply(existing, group_alias=data.group_id)
        issued_on = data.issued_on or utc_now()
        expired_on = data.expired_on
        created = await credentials.create_issue_send(
            CreateIssueSendRequest(
                group_id=group_id,
                recipient=RecipientIn(name=data.recipient.name, email=data.recipient.email),
                issue_date=issued_on.date(),
                expiry_date=max(expired_on.date(), issued_on.date()) if expired_on else None,
            )
        )
        await self.repository.record_award(group_id, email, created.credential.id)
        return await self._reply(created.credential, group_alias=data.group_id)

    async def _awarded(
        self, credentials: Credentials, group_id: str, email: str
    ) -> CredentialRead | None:
        """The credential awarded before, or None once this request holds the claim."""
        if await self.repository.claim_award(self.organization_id, group_id, email):
            return None
        credential_id = await self.repository.awarded_credential(group_id, email)
        if credential_id is None:
            # The claim's credential is gone: claim the award afresh.
            await self.repository.forget_award(group_id, email)
            await self.repository.claim_award(self.organization_id, group_id, email)
            return None
        return await credentials.get(credential_id)

    async def expire(self, alias: int, change: AccredibleExpiry) -> dict[str, Any]:
        """Expire the credential at `expired_on`; one already past is also revoked.

        Open edX sends this when a learner no longer meets the badge's requirements, with the
        moment of its call: a badge that is no longer deserved is revoked, so that its
        verifiers see it, not only dated.
        """
        credential_id = await self._own(AliasKind.credential, alias)
        credentials = Credentials(self.session, self.principal, self.settings)
        view = await credentials.view(credential_id)
        expiry = max(change.expired_on.date(), view.issue_date)
        await credentials.update(credential_id, CredentialUpdate(expiry_date=expiry))
        if change.expired_on <= datetime.now(UTC) and view.revoked_at is None:
            await revoke_credential(
                self.session, self.settings, self.principal, credential_id, REVOKED_BY_EXPIRY
            )
        return await self._reply(await credentials.get(credential_id))

    async def _own(self, kind: AliasKind, alias: int) -> str:
        """The Laurel id an alias of this organization names; 404 for any other."""
        found = await self.aliases.resolve(kind, alias) if is_alias(alias) else None
        if found is None or found.organization_id != self.organization_id:
            raise NotFound(f"No {kind} {alias}")
        return found.laurel_id

    async def _reply(
        self, credential: CredentialRead, group_alias: int | None = None
    ) -> dict[str, Any]:
        """The credential as Accredible shows it; `group_alias` when the request named it."""
        aliases = self.aliases
        credential_alias = await aliases.alias_of(
            AliasKind.credential, self.organization_id, credential.id
        )
        if group_alias is None:
            group_alias = await aliases.alias_of(
                AliasKind.group, self.organization_id, credential.group_id
            )
        group_name = credential.attributes.get("group.name") or ""
        return {
            "credential": {
                "id": credential_alias,
                "name": group_name,
                "group_id": group_alias,
                "group_name": group_name,
                "recipient": {
                    "name": credential.recipient.name,
                    "email": credential.recipient.email,
                },
                "issued_on": credential.issue_date,
                "expired_on": credential.expiry_date,
                "complete": True,
                "url": PublicLinks.of(self.settings).credential_page(credential.public_id),
            }
        }


@dataclass(frozen=True)
class DesignImage:
    """A design image's URL as `design` gave it."""

    alias: int
    signature: str


async def design_image(
    session: AsyncSession, settings: Settings, renderer: RenderPool, image: DesignImage
) -> Rendered:
    """The PNG a design's `rasterized_content_url` names: the design drawn with sample values."""
    if not is_signed(settings.secret_keys, _IMAGE_SIGNING, str(image.alias), image.signature):
        raise NotFound()
    found = await AliasRepository(session).resolve(AliasKind.design, image.alias)
    if found is None:
        raise NotFound()
    if found.laurel_id.startswith(_STARTER_PREFIX):
        starter_id = found.laurel_id.removeprefix(_STARTER_PREFIX).split(":", 1)[0]
        return await preview_starter(session, settings, renderer, starter_id, "png")
    principal = public_principal(found.organization_id)
    return await preview_design(session, settings, renderer, principal, found.laurel_id, "png")
