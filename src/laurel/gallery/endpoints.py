from typing import Annotated

from fastapi import Request, Response

from laurel.designs.schemas import DesignRead
from laurel.gallery import service
from laurel.gallery.schemas import StarterCopy, StarterRead
from laurel.issuer_api import Api, ListResponse, issuer_router, json_body
from laurel.kit.body import body_docs
from laurel.kit.errors import InvalidJson, NotFound, ValidationFailed, error_responses
from laurel.rendering.formats import Format
from laurel.rendering.pool import render_pool

router = issuer_router(
    prefix="/v1/design-gallery",
    tags=["Design gallery"],
)


@router.get("", name="design_gallery.list", response_model=ListResponse[StarterRead])
async def list_starters(api: Api) -> object:
    """List Laurel's starter designs: certificates and badges ready to copy.

    The gallery is short, so it comes as one page.
    """
    starters = service.list_starters(api.settings)
    return {"data": starters, "pagination": {"prev": None, "next": None}}


@router.get(
    "/{starter_id}",
    name="design_gallery.get",
    response_model=StarterRead,
    responses=error_responses(NotFound),
)
async def get_starter(api: Api, starter_id: str) -> object:
    """Get a starter design."""
    return service.get_starter(api.settings, starter_id)


@router.post(
    "/{starter_id}/copy",
    name="design_gallery.copy",
    response_model=DesignRead,
    openapi_extra=body_docs(StarterCopy, required=False),
    responses=error_responses(InvalidJson, ValidationFailed, NotFound),
)
async def copy_starter(
    api: Api,
    starter_id: str,
    body: Annotated[StarterCopy, json_body(StarterCopy, required=False)],
) -> object:
    """Copy a starter into the organization's designs, to use and edit like any design."""
    return await service.copy_starter(api.session, api.principal, starter_id, body.name)


_IMAGES = {
    200: {"content": {"image/png": {}, "application/pdf": {}}},
    **error_responses(NotFound),
}


async def _preview(api: Api, request: Request, starter_id: str, fmt: Format) -> Response:
    renderer = render_pool(request)
    rendered = await service.preview_starter(api.session, api.settings, renderer, starter_id, fmt)
    headers = {"Cache-Control": "private, no-cache", "ETag": f'"{rendered.content_hash[:32]}"'}
    return Response(rendered.content, media_type=rendered.media_type, headers=headers)


@router.get(
    "/{starter_id}/preview.png",
    name="design_gallery.preview_png",
    response_class=Response,
    responses=_IMAGES,
)
async def preview_png(api: Api, request: Request, starter_id: str) -> Response:
    """The starter drawn with sample values, as PNG (144 dpi)."""
    return await _preview(api, request, starter_id, "png")


@router.get(
    "/{starter_id}/preview.pdf",
    name="design_gallery.preview_pdf",
    response_class=Response,
    responses=_IMAGES,
)
async def preview_pdf(api: Api, request: Request, starter_id: str) -> Response:
    """The starter drawn with sample values, as PDF."""
    return await _preview(api, request, starter_id, "pdf")
