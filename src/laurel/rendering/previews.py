"""A credential's designs, each with preview URLs a Certifier client may cache for ever.

The URL of an issued credential's preview names the exact file it serves: it carries the render
cache's key (cut to 128 bits: engine version, format, the design's SVG, the credential's resolved
attribute values and its QR code's URL), and an HMAC-SHA256 of its path under a key derived
from LAUREL_SECRET_KEY, so it needs no token and cannot be forged. When the credential or the
design changes, the key changes: the new answer of `GET /v1/credentials/{id}/designs` holds new
URLs and the old ones answer 404, as do forged, deleted, draft and unknown ones (one answer,
which tells a guesser nothing). A draft is not public: its previews are the issuer API's own
renders, which need the token.
"""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal
from laurel.config import Settings
from laurel.credentials.schemas import CredentialRead
from laurel.credentials.service import Credentials
from laurel.kit.crypto import is_signed, sign_text
from laurel.kit.errors import NotFound
from laurel.links import PublicLinks
from laurel.models import CredentialState
from laurel.rendering.pool import RenderPool
from laurel.rendering.repository import RenderRepository, TemplateDesign
from laurel.rendering.schemas import CredentialDesign, Preview, PreviewFormat
from laurel.rendering.service import (
    Rendered,
    credential_job,
    public_principal,
    render_cached,
    render_key,
    verification_url,
)
from laurel.vc.repository import StatusRepository

PREVIEW_FORMATS: dict[str, PreviewFormat] = {"png": "png", "pdf": "pdf"}  # in the answer's order
DIGEST_LENGTH = 32  # hex characters of the render key: 128 bits
_SIGNING_PURPOSE = "design-previews"


def _digest(settings: Settings, credential: CredentialRead, svg: str, fmt: PreviewFormat) -> str:
    qr_url = verification_url(settings, credential.public_id)
    return render_key(fmt, svg, credential.attributes, qr_url)[:DIGEST_LENGTH]


def _signed_text(public_id: str, design_id: str, digest: str, fmt: str) -> str:
    return f"{public_id}/{design_id}/{digest}/{fmt}"


def _preview_url(
    settings: Settings, credential: CredentialRead, design: TemplateDesign, fmt: PreviewFormat
) -> str:
    links = PublicLinks.of(settings)
    if credential.status == "draft":
        return links.credential_file(credential.id, fmt, design.id)
    digest = _digest(settings, credential, design.svg, fmt)
    text = _signed_text(credential.public_id, design.id, digest, fmt)
    signature = sign_text(settings.secret_key, _SIGNING_PURPOSE, text)
    return links.design_preview(credential.public_id, design.id, digest, signature, fmt)


async def credential_designs(
    session: AsyncSession, settings: Settings, principal: Principal, credential_id: str
) -> list[CredentialDesign]:
    """The credential's designs in its template's order, each with a PNG and a PDF preview."""
    credential = await Credentials(session, principal, settings).get(credential_id)
    designs = await RenderRepository(session).designs_of_group(credential.group_id)
    return [
        CredentialDesign(
            id=design.id,
            name=design.name,
            previews=[
                Preview(format=fmt, url=_preview_url(settings, credential, design, fmt))
                for fmt in PREVIEW_FORMATS.values()
            ],
        )
        for design in designs
    ]


@dataclass(frozen=True)
class SignedPreview:
    """The parts of a signed preview URL, as `_preview_url` wrote them."""

    public_id: str
    design_id: str
    digest: str
    signature: str
    fmt: str


async def design_preview(
    session: AsyncSession, settings: Settings, renderer: RenderPool, url: SignedPreview
) -> Rendered:
    """The file a signed preview URL names, while it is still what the credential looks like.

    Issued credentials only (scheduled, expired and revoked ones too, as their public page
    shows them); anything else is 404.
    """
    public_id, design_id, digest = url.public_id, url.design_id, url.digest
    preview_format = PREVIEW_FORMATS.get(url.fmt)
    text = _signed_text(public_id, design_id, digest, url.fmt)
    if preview_format is None or not is_signed(
        settings.secret_keys, _SIGNING_PURPOSE, text, url.signature
    ):
        raise NotFound()
    located = await StatusRepository(session).by_public_id(public_id)
    if located is None or located.state != CredentialState.issued:
        raise NotFound()
    principal = public_principal(located.organization_id)
    credential = await Credentials(session, principal, settings).get(located.id)
    designs = await RenderRepository(session).designs_of_group(credential.group_id)
    design = next((d for d in designs if d.id == design_id), None)
    if design is None or _digest(settings, credential, design.svg, preview_format) != digest:
        raise NotFound()  # a design taken off the template, or a changed credential or design
    job = credential_job(settings, credential, design.svg, preview_format)
    return await render_cached(session, renderer, job, design_id=design.id)
