"""What the public pages show: a credential found by its public id, checked live, and the
links to download and share it; and the verify form's reading of an uploaded credential.

Visitors have no token, so the interactions they cause (`credential_viewed`, ...) are recorded
for the credential's own organization, `triggeredBy: guest`, with the same repository the
`/v1/credential-interactions` API writes through.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import quote, urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.config import Settings
from laurel.credentials.interactions import record_guest_interaction
from laurel.credentials.repository import CredentialRepository
from laurel.credentials.schemas import CredentialStatus, CredentialView, status_on
from laurel.credentials.service import today
from laurel.groups.repository import GroupRepository
from laurel.issuers.repository import IssuerRepository
from laurel.kit.errors import LaurelError
from laurel.links import PublicLinks, credential_path
from laurel.models import CredentialState
from laurel.pages.verification import Explained, explain, issuer_name, verified
from laurel.rendering import service as rendering
from laurel.rendering.pool import RenderPool
from laurel.rendering.service import public_principal
from laurel.vc.repository import StatusRepository
from laurel.vc.service import issue_verifiable, own_credential_verified
from laurel.vc.verify import read_credential, verify_credential

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


@dataclass(frozen=True)
class Issuer:
    name: str
    url: str | None
    image: str | None


@dataclass(frozen=True)
class PublicCredential:
    """An issued credential as anyone holding its link sees it."""

    id: str
    organization_id: str
    public_id: str
    view: CredentialView
    status: CredentialStatus
    revoked_at: datetime | None
    revocation_reason: str | None
    learning_event_url: str | None
    issuer: Issuer
    signed: dict[str, Any]
    # The template's achievement description and criteria, when it has them (read now, as the
    # learning event URL is; the signed credential keeps those of the day it was signed).
    description: str | None = None
    criteria: str | None = None

    @property
    def expiry_date(self) -> date | None:
        return self.view.expiry_date


@dataclass(frozen=True)
class Links:
    page: str
    image: str  # absolute, for link previews
    image_path: str  # the same image, for the page itself
    pdf: str
    png: str
    json: str
    badge_png: str
    badge_svg: str
    linkedin: str


@dataclass(frozen=True)
class WalletPage:
    credential: PublicCredential
    checks: list[Explained]
    verified: bool
    links: Links


@dataclass(frozen=True)
class Verification:
    """What the verify form found: each check, and the credential's page when it is ours."""

    checks: list[Explained]
    verified: bool
    name: str
    issuer: str
    own_page: str | None


class UnreadableCredential(ValueError):
    """What was sent to the verify form is not a credential; the message says why."""


async def find_credential(
    session: AsyncSession, settings: Settings, public_id: str
) -> PublicCredential | None:
    """The issued credential behind a public link (signed now if the worker has not yet)."""
    located = await StatusRepository(session).by_public_id(public_id)
    if located is None or located.state != CredentialState.issued:
        return None
    view = await CredentialRepository(session).get_view(located.organization_id, located.id)
    if view is None:
        return None
    group = await GroupRepository(session).get_view(located.organization_id, view.group_id)
    profile = await IssuerRepository(session).profile(located.organization_id)
    if group is None or profile is None:
        return None
    signed = located.verifiable_credential or await issue_verifiable(
        session, settings, located.organization_id, view
    )
    status = status_on(
        view.state, view.issue_date, view.expiry_date, today(), located.revoked_at is not None
    )
    return PublicCredential(
        id=located.id,
        organization_id=located.organization_id,
        public_id=public_id,
        view=view,
        status=status,
        revoked_at=located.revoked_at,
        revocation_reason=located.revocation_reason,
        learning_event_url=group.learning_event_url,
        issuer=Issuer(profile.name, profile.issuer_url, profile.issuer_image),
        signed=dict(signed),
        description=group.extensions.description,
        criteria=group.extensions.criteria,
    )


async def signed_document(
    session: AsyncSession, settings: Settings, public_id: str
) -> dict[str, Any] | None:
    """The signed credential behind a public link: one read once signed, signed now if not yet."""
    located = await StatusRepository(session).by_public_id(public_id)
    if located is None or located.state != CredentialState.issued:
        return None
    if located.verifiable_credential is not None:
        return dict(located.verifiable_credential)
    credential = await find_credential(session, settings, public_id)
    return credential.signed if credential is not None else None


async def wallet_page(
    session: AsyncSession, settings: Settings, public_id: str
) -> WalletPage | None:
    """The recipient's page: the credential and its live verification (the view is the caller's)."""
    credential = await find_credential(session, settings, public_id)
    if credential is None:
        return None
    checks = await verify_credential(session, settings, credential.signed)
    return WalletPage(
        credential,
        explain(checks, credential.signed),
        verified(checks),
        links(settings, credential),
    )


async def record(session: AsyncSession, credential: PublicCredential, event_type: str) -> None:
    """Record what a visitor did, for the credential's organization (they have no token)."""
    await record_guest_interaction(session, credential.organization_id, credential.id, event_type)


def page_url(settings: Settings, public_id: str) -> str:
    return PublicLinks.of(settings).credential_page(public_id)


def links(settings: Settings, credential: PublicCredential) -> Links:
    public = PublicLinks.of(settings)
    local = credential_path(credential.public_id)
    return Links(
        page=public.credential_page(credential.public_id),
        image=public.credential_image(credential.public_id),
        image_path=f"{local}/image.png",
        pdf=f"{local}/certificate.pdf?download=1",
        png=f"{local}/image.png?download=1",
        json=f"{local}/credential.json",
        badge_png=f"{local}/badge.png",
        badge_svg=f"{local}/badge.svg",
        linkedin=f"{local}/share/linkedin",
    )


def linkedin_url(settings: Settings, credential: PublicCredential) -> str:
    """LinkedIn's "Add license or certification" form, filled in with this credential."""
    view = credential.view
    params: dict[str, str | int] = {
        "startTask": "CERTIFICATION_NAME",
        "name": view.group_name,
        "organizationName": credential.issuer.name,
        "issueYear": view.issue_date.year,
        "issueMonth": view.issue_date.month,
    }
    if view.expiry_date is not None:
        params["expirationYear"] = view.expiry_date.year
        params["expirationMonth"] = view.expiry_date.month
    params["certUrl"] = page_url(settings, credential.public_id)
    params["certId"] = credential.public_id
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(params, quote_via=quote)}"


async def baked_badge(
    session: AsyncSession,
    settings: Settings,
    renderer: RenderPool,
    credential: PublicCredential,
    image_format: str,
) -> bytes:
    """The badge with the signed credential inside, as `/v1/credentials/{id}/badge.*` bakes it."""
    principal = public_principal(credential.organization_id)
    fmt: Literal["png", "svg"] = "png" if image_format == "png" else "svg"
    return await rendering.baked_badge(session, settings, renderer, principal, credential.id, fmt)


async def verify_upload(
    session: AsyncSession, settings: Settings, content: bytes, content_type: str
) -> Verification:
    """Check a credential sent through the verify form: JSON, or a baked PNG or SVG badge."""
    if not content.strip():
        raise UnreadableCredential("Choose a credential file or paste the credential's JSON.")
    try:
        document = read_credential(content, content_type)
    except LaurelError as error:
        raise UnreadableCredential(_plain(error.message)) from None
    if not isinstance(document, dict):
        raise UnreadableCredential("A credential is a JSON object ({...}); this is not one.")
    checks = await verify_credential(session, settings, document)
    own_page = await _own_page(session, settings, document, count=verified(checks))
    name = document.get("name")
    return Verification(
        checks=explain(checks, document),
        verified=verified(checks),
        name=name if isinstance(name, str) else "",
        issuer=issuer_name(document),
        own_page=own_page,
    )


def _plain(message: str) -> str:
    """The verifier speaks of request bodies; the form speaks of files."""
    if message.startswith("badge: "):
        return f"This image is not a badge with a credential inside ({message[7:]})."
    if "not valid JSON" in message:
        return "This is not valid JSON, nor a baked badge image. " + message.split(": ", 1)[-1]
    return message


async def _own_page(
    session: AsyncSession, settings: Settings, document: dict[str, Any], *, count: bool
) -> str | None:
    """The page of a credential that claims to be ours; a verification that passed is counted."""
    public_id = await own_credential_verified(session, settings, document, count=count)
    return None if public_id is None else f"/credentials/{public_id}"
