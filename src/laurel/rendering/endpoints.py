"""Rendered certificates and badges: for the issuer's API, and public by a credential's link.

A credential's files (PDF, PNG, its designs, the badge with the signed credential baked in)
are served under `/v1/credentials/{id}`, the path credentials/ owns; a design's preview under
`/v1/designs/{id}`.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from laurel.credentials.endpoints import CREDENTIALS_PATH
from laurel.credentials.service import Credentials
from laurel.db import DbSession
from laurel.issuer_api import Api, issuer_router
from laurel.kit.errors import (
    Conflict,
    NotFound,
    RenderBudgetExceeded,
    RenderUnavailable,
    ValidationFailed,
    error_responses,
)
from laurel.kit.svg_headers import headers_for
from laurel.rendering import previews, service
from laurel.rendering.formats import Format
from laurel.rendering.pool import render_pool
from laurel.rendering.schemas import CredentialDesign
from laurel.rendering.service import Rendered

router = issuer_router(tags=["Rendering"])
public = APIRouter(tags=["Public pages"])
# A credential's files, under the path credentials/ owns.
CREDENTIAL = CREDENTIALS_PATH + "/{credential_id}"

# A preview URL names one file for ever (its path changes with what it shows).
IMMUTABLE = "public, max-age=31536000, immutable"
# What drawing a file can answer besides the file: a design over the render budget (422), every
# render worker busy (503).
RENDER_ERRORS = (RenderBudgetExceeded, RenderUnavailable)
_IMAGES = {
    200: {"content": {"application/pdf": {}, "image/png": {}, "image/svg+xml": {}}},
    **error_responses(NotFound, *RENDER_ERRORS),
}
DesignChoice = Annotated[
    str | None, Query(alias="designId", max_length=26, description="One of the template's designs")
]


def _file(rendered: Rendered, *, cache: str, filename: str | None = None) -> Response:
    headers = {
        "Cache-Control": cache,
        "ETag": f'"{rendered.content_hash[:32]}"',
        **headers_for(rendered.media_type),
    }
    if filename is not None:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(rendered.content, media_type=rendered.media_type, headers=headers)


async def _credential(
    request: Request, api: Api, credential_id: str, fmt: Format, design_id: str | None
) -> Response:
    credentials = Credentials(api.session, api.principal, api.settings)
    rendered = await service.render_credential(
        credentials, render_pool(request), credential_id, fmt, design_id
    )
    return _file(rendered, cache="private, no-cache")


@router.get(
    CREDENTIAL + "/pdf",
    name="credentials.pdf",
    response_class=Response,
    responses=_IMAGES,
)
async def credential_pdf(
    request: Request, api: Api, credential_id: str, design_id: DesignChoice = None
) -> Response:
    """The credential as a PDF: vector, text selectable, fonts embedded.

    By default the template's first certificate design (its first badge when it has none);
    `designId` picks another of the template's designs.
    """
    return await _credential(request, api, credential_id, "pdf", design_id)


@router.get(
    CREDENTIAL + "/png",
    name="credentials.png",
    response_class=Response,
    responses=_IMAGES,
)
async def credential_png(
    request: Request, api: Api, credential_id: str, design_id: DesignChoice = None
) -> Response:
    """The credential as a PNG (144 dpi), from the same design choice as the PDF."""
    return await _credential(request, api, credential_id, "png", design_id)


@router.get(
    CREDENTIAL + "/designs",
    name="credentials.designs",
    response_model=list[CredentialDesign],
    responses=error_responses(NotFound),
)
async def credential_designs(api: Api, credential_id: str) -> object:
    """The credential's designs, in its template's order, each with PNG and PDF preview URLs.

    An issued credential's preview URLs need no token and never change what they serve: when
    the credential or a design changes, they change (the old ones answer 404), so they may be
    cached for ever. A draft's previews are this API's renders, which need the token.
    """
    return await previews.credential_designs(
        api.session, api.settings, api.principal, credential_id
    )


@router.get(
    CREDENTIAL + "/badge.{image_format}",
    name="credentials.baked_badge",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}, "image/svg+xml": {}}},
        **error_responses(NotFound, Conflict, RenderBudgetExceeded, RenderUnavailable),
    },
)
async def baked_badge(
    request: Request, api: Api, credential_id: str, image_format: Literal["png", "svg"]
) -> Response:
    """The badge with the signed credential baked in: PNG (`iTXt`) or SVG (an element)."""
    content = await service.baked_badge(
        api.session, api.settings, render_pool(request), api.principal, credential_id, image_format
    )
    media_type = "image/png" if image_format == "png" else "image/svg+xml"
    return Response(content, media_type=media_type, headers=headers_for(media_type))


@router.get(
    "/v1/designs/{design_id}/preview",
    name="designs.preview",
    response_class=Response,
    responses=_IMAGES,
)
async def preview_design(
    request: Request,
    api: Api,
    design_id: str,
    image_format: Annotated[Literal["png", "pdf", "svg"], Query(alias="format")] = "png",
) -> Response:
    """The design drawn with sample values (and the organization's custom attribute defaults)."""
    rendered = await service.preview_design(
        api.session, api.settings, render_pool(request), api.principal, design_id, image_format
    )
    return _file(rendered, cache="private, no-cache")


async def _public(
    request: Request, session: DbSession, public_id: str, fmt: Format, download: bool
) -> Response:
    settings = request.app.state.settings
    rendered = await service.render_public(
        session, settings, render_pool(request), public_id, fmt, download=download
    )
    filename = f"credential-{public_id}.{fmt}" if download else None
    # Short-lived: a credential's render changes when its issuer edits it.
    return _file(rendered, cache="public, max-age=300", filename=filename)


@public.get(
    "/credentials/{public_id}/certificate.pdf",
    name="public.certificate_pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}},
        **error_responses(ValidationFailed, NotFound, *RENDER_ERRORS),
    },
)
async def public_certificate_pdf(
    request: Request, session: DbSession, public_id: str, download: bool = False
) -> Response:
    """The credential's certificate as a PDF, for anyone holding its link."""
    return await _public(request, session, public_id, "pdf", download)


@public.get(
    "/credentials/{public_id}/image.png",
    name="public.certificate_png",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}}},
        **error_responses(ValidationFailed, NotFound, *RENDER_ERRORS),
    },
)
async def public_certificate_png(
    request: Request, session: DbSession, public_id: str, download: bool = False
) -> Response:
    """The credential's certificate (or badge) as a PNG: the image of its page and link previews."""
    return await _public(request, session, public_id, "png", download)


@public.get(
    "/credentials/{public_id}/previews/{design_id}/{digest}/{signature}.{image_format}",
    name="public.design_preview",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}, "image/png": {}}},
        **error_responses(NotFound, *RENDER_ERRORS),
    },
)
async def design_preview(
    request: Request,
    session: DbSession,
    public_id: str,
    design_id: str,
    digest: str,
    signature: str,
    image_format: str,
) -> Response:
    """An issued credential drawn with one of its designs, by the signed URL its API listed.

    Immutable: cache it for ever. A changed credential or design, a draft, a deleted credential
    or a forged URL is 404.
    """
    rendered = await previews.design_preview(
        session,
        request.app.state.settings,
        render_pool(request),
        previews.SignedPreview(public_id, design_id, digest, signature, image_format),
    )
    return _file(rendered, cache=IMMUTABLE)
