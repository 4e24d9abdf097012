"""Certificates and badges of credentials, rendered once per content and then served from cache.

A render's key hashes everything that draws it (engine version, format, the design's SVG, the
attribute values, the QR code's URL), so a changed design, template or credential gets a new
render and the old one is never served again; the worker prunes renders unused for a while.
What is not cached yet is drawn by the render pool, in a worker process under a time and memory
budget (rendering/pool.py); a cached render never reaches the pool.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import orjson
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.attributes.repository import AttributeRepository
from laurel.auth.dependencies import Principal
from laurel.config import Settings
from laurel.credentials.interactions import record_guest_interaction
from laurel.credentials.schemas import CredentialRead
from laurel.credentials.service import Credentials
from laurel.designs.repository import DesignRepository
from laurel.designs.svg import validate_svg
from laurel.kit.errors import (
    Conflict,
    InternalServerError,
    LaurelError,
    NotFound,
    ValidationFailed,
    found,
)
from laurel.links import PublicLinks
from laurel.models import CredentialState, DesignType, Plan
from laurel.rendering.formats import ENGINE_VERSION, Format
from laurel.rendering.pool import RenderPool
from laurel.rendering.repository import RenderRepository, TemplateDesign
from laurel.rendering.worker import RenderJob
from laurel.vc.baking import bake_png, bake_svg
from laurel.vc.repository import StatusRepository
from laurel.vc.service import signed_form

MEDIA_TYPES: dict[str, str] = {"pdf": "application/pdf", "png": "image/png", "svg": "image/svg+xml"}
SAMPLE_PUBLIC_ID = "00000000-0000-4000-8000-000000000000"
log = structlog.get_logger()


@dataclass(frozen=True)
class Rendered:
    content: bytes
    media_type: str
    content_hash: str  # of what drew it: equal hashes, equal content (an ETag as it is)


def verification_url(settings: Settings, public_id: str) -> str:
    """Where the QR code points: the credential's public page (its signed form for machines)."""
    return PublicLinks.of(settings).credential_page(public_id)


def render_key(fmt: Format, svg: str, values: Mapping[str, str | None], qr_url: str) -> str:
    """The render cache's key: SHA-256 (hex) of everything that draws the file."""
    material = orjson.dumps([ENGINE_VERSION, fmt, svg, sorted(values.items()), qr_url])
    return hashlib.sha256(material).hexdigest()


def _not_drawn(design_id: str, fmt: Format, svg: str) -> LaurelError:
    """Why a design could not be drawn, logged with its id, as the API's error.

    A design saved before today's checks that breaks one is the issuer's to fix: 409 with the
    rule it breaks. One that passes them failed in the engine: a 500, the log says which.
    """
    try:
        validate_svg(svg, requires_recipient_name=False)
    except ValidationFailed as broken:
        log.warning("design_not_drawn", design_id=design_id, format=fmt, reason=broken.message)
        return Conflict(
            f"The design {design_id} cannot be drawn, it breaks a design rule "
            f"({broken.message}): update its SVG"
        )
    log.exception("design_not_drawn", design_id=design_id, format=fmt)
    return InternalServerError()


async def render_cached(
    session: AsyncSession, renderer: RenderPool, job: RenderJob, *, design_id: str
) -> Rendered:
    """The file from the render cache, drawn (and kept) on the first request for it.

    Drawn by a render worker, within the budget (422 `render_budget_exceeded` beyond it, 503
    `render_unavailable` when every worker stays busy), never on the event loop.
    """
    repository = RenderRepository(session)
    key = render_key(job.fmt, job.svg, job.values, job.qr_url)
    cached = await repository.cached(key)
    if cached is not None:
        return Rendered(cached[1], cached[0], key)
    try:
        content = await renderer.render(job, key=key, design_id=design_id)
    except InternalServerError as error:  # the engine could not draw it: say why, if we can
        raise _not_drawn(design_id, job.fmt, job.svg) from error
    await repository.store(key, MEDIA_TYPES[job.fmt], content)
    return Rendered(content, MEDIA_TYPES[job.fmt], key)


def credential_job(
    settings: Settings, credential: CredentialRead, svg: str, fmt: Format
) -> RenderJob:
    """The credential drawn with `svg`: its attribute values, its QR code to its page."""
    qr_url = verification_url(settings, credential.public_id)
    return RenderJob(fmt, svg, dict(credential.attributes), qr_url)


def _choose_design(
    designs: list[TemplateDesign], preferred: DesignType, design_id: str | None
) -> TemplateDesign:
    """The design to draw: the one asked for, else the first of the preferred type, else any."""
    if design_id is not None:
        return found(next((d for d in designs if d.id == design_id), None))
    ordered = [d for d in designs if d.type == preferred] + [
        d for d in designs if d.type != preferred
    ]
    if not ordered:
        raise NotFound("The credential's template has no design to render")
    return ordered[0]


async def render_credential(
    credentials: Credentials,
    renderer: RenderPool,
    credential_id: str,
    fmt: Format,
    design_id: str | None = None,
    *,
    prefer: DesignType | None = None,
) -> Rendered:
    """A credential of the caller's organization, drawn with one of its template's designs.

    Certificates come first for PDF and PNG, badges for SVG, unless `prefer` says otherwise.
    """
    session = credentials.session
    credential = await credentials.get(credential_id)
    designs = await RenderRepository(session).designs_of_group(credential.group_id)
    preferred = prefer or (DesignType.badge if fmt == "svg" else DesignType.certificate)
    design = _choose_design(designs, preferred, design_id)
    job = credential_job(credentials.settings, credential, design.svg, fmt)
    return await render_cached(session, renderer, job, design_id=design.id)


def public_principal(organization_id: str) -> Principal:
    """A visitor of a public link reads within the credential's own organization, as its issuer."""
    return Principal(organization_id, Plan.free, token_id="public")  # noqa: S106 (not a secret)


async def render_public(
    session: AsyncSession,
    settings: Settings,
    renderer: RenderPool,
    public_id: str,
    fmt: Format,
    *,
    download: bool,
) -> Rendered:
    """An issued credential by its public id, as anyone holding its link may see it.

    A download (not the image a page shows) is recorded as a `credential_downloaded` interaction.
    """
    located = await StatusRepository(session).by_public_id(public_id)
    if located is None or located.state != CredentialState.issued:  # drafts are not public
        raise NotFound()
    organization_id, credential_id = located.organization_id, located.id
    credentials = Credentials(session, public_principal(organization_id), settings)
    rendered = await render_credential(credentials, renderer, credential_id, fmt)
    if download:
        await record_guest_interaction(
            session, organization_id, credential_id, "credential_downloaded"
        )
    return rendered


async def baked_badge(
    session: AsyncSession,
    settings: Settings,
    renderer: RenderPool,
    principal: Principal,
    credential_id: str,
    fmt: Literal["png", "svg"],
) -> bytes:
    """The badge (a badge design first) with the signed credential baked in (OB 3.0 §5.3)."""
    signed = await signed_form(session, settings, principal, credential_id)
    credentials = Credentials(session, principal, settings)
    rendered = await render_credential(
        credentials, renderer, credential_id, fmt, prefer=DesignType.badge
    )
    if fmt == "png":
        return bake_png(rendered.content, signed)
    return bake_svg(rendered.content.decode(), signed).encode()


def sample_values(custom_defaults: Mapping[str, str | None]) -> dict[str, str | None]:
    today = date.today()
    values: dict[str, str | None] = {
        "recipient.name": "Ada Lovelace",
        "recipient.email": "ada@example.org",
        "group.name": "Sample credential",
        "credential.issueDate": today.isoformat(),
        "credential.expiryDate": (today + timedelta(days=730)).isoformat(),
        "credential.publicId": SAMPLE_PUBLIC_ID,
        "certificate.uuid": SAMPLE_PUBLIC_ID,
        "certificate.issued_on": today.isoformat(),
    }
    return values | {tag: default or tag for tag, default in custom_defaults.items()}


def sample_job(
    settings: Settings,
    svg: str,
    fmt: Format,
    custom_defaults: Mapping[str, str | None] | None = None,
) -> RenderJob:
    """A design's SVG drawn with sample values, its QR code pointing to a sample credential."""
    url = verification_url(settings, SAMPLE_PUBLIC_ID)
    return RenderJob(fmt, svg, sample_values(custom_defaults or {}), url)


async def preview_design(
    session: AsyncSession,
    settings: Settings,
    renderer: RenderPool,
    principal: Principal,
    design_id: str,
    fmt: Format,
) -> Rendered:
    """A design drawn with sample values (the organization's custom attribute defaults too)."""
    organization_id = principal.organization_id
    design = found(await DesignRepository(session).get(organization_id, design_id))
    defaults = await AttributeRepository(session).custom_defaults(organization_id)
    job = sample_job(settings, design.svg, fmt, defaults)
    return await render_cached(session, renderer, job, design_id=design.id)
