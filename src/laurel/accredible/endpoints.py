"""The four calls Open edX's Credentials service makes to Accredible, and the design images.

Paths are Accredible's, relative to `ACCREDIBLE_API_BASE_URL` (`.../accredible/v1/`), without
trailing slashes, as Open edX joins them; every success is a JSON body.
"""

from typing import Annotated

from fastapi import APIRouter, Request, Response

from laurel.accredible import service
from laurel.accredible.api import (
    PREFIX,
    AccredibleRoute,
    Issuer,
    IssuerRequest,
    accredible_router,
    json_body,
)
from laurel.accredible.schemas import (
    AccredibleCreateRequest,
    AccredibleCredentialReply,
    AccredibleDesignReply,
    AccredibleGroupList,
    AccredibleUpdateRequest,
)
from laurel.db import DbSession
from laurel.kit.body import body_docs
from laurel.kit.errors import (
    ErrorFormat,
    InvalidJson,
    NotFound,
    RenderBudgetExceeded,
    RenderUnavailable,
    ValidationFailed,
    error_responses,
)
from laurel.kit.svg_headers import headers_for
from laurel.rendering.pool import render_pool

_TAG = "Accredible-compatible API (Open edX)"
router = accredible_router(tags=[_TAG])
# The design images Open edX shows learners: no key, so none of the guard's answers.
public = APIRouter(prefix=PREFIX, route_class=AccredibleRoute, tags=[_TAG])

_READ_ERRORS = error_responses(NotFound, error_format=ErrorFormat.accredible)
_WRITE_ERRORS = error_responses(
    InvalidJson, ValidationFailed, NotFound, error_format=ErrorFormat.accredible
)
# A design edited keeps its image's URL: caches keep the old image a few minutes at most.
_IMAGE_CACHE = "public, max-age=300"


def _issuer(issuer: IssuerRequest) -> service.AccredibleIssuer:
    return service.AccredibleIssuer(issuer.session, issuer.principal, issuer.settings)


@router.get(
    "/issuer/all_groups",
    name="accredible.all_groups",
    response_model=AccredibleGroupList,
)
async def all_groups(issuer: Issuer) -> object:
    """Every credential template of the organization, as Accredible groups, in one page."""
    return await _issuer(issuer).all_groups()


@router.get(
    "/designs/{design_id}",
    name="accredible.design",
    response_model=AccredibleDesignReply,
    responses=_READ_ERRORS,
)
async def design(issuer: Issuer, design_id: int) -> object:
    """A design, with the public URL of its PNG."""
    return await _issuer(issuer).design(design_id)


@router.post(
    "/credentials",
    name="accredible.create_credential",
    response_model=AccredibleCredentialReply,
    responses=_WRITE_ERRORS,
    openapi_extra=body_docs(AccredibleCreateRequest),
)
async def create_credential(
    issuer: Issuer,
    body: Annotated[AccredibleCreateRequest, json_body(AccredibleCreateRequest)],
) -> object:
    """Create, issue and email a credential of a group; the same group and email again
    answer the credential made the first time."""
    return await _issuer(issuer).award(body)


@router.patch(
    "/credentials/{credential_id}",
    name="accredible.update_credential",
    response_model=AccredibleCredentialReply,
    responses=_WRITE_ERRORS,
    openapi_extra=body_docs(AccredibleUpdateRequest),
)
@router.put(
    "/credentials/{credential_id}",
    name="accredible.replace_credential",
    response_model=AccredibleCredentialReply,
    responses=_WRITE_ERRORS,
    openapi_extra=body_docs(AccredibleUpdateRequest),
)
async def update_credential(
    issuer: Issuer,
    credential_id: int,
    body: Annotated[AccredibleUpdateRequest, json_body(AccredibleUpdateRequest)],
) -> object:
    """Expire a credential at `expired_on`; a moment already past also revokes it (Open edX
    sends this when a learner no longer meets the badge's requirements)."""
    return await _issuer(issuer).expire(credential_id, body.credential)


@public.get(
    "/designs/{design_id}/{signature}.png",
    name="accredible.design_image",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}}},
        **error_responses(
            ValidationFailed,
            NotFound,
            RenderBudgetExceeded,
            RenderUnavailable,
            error_format=ErrorFormat.accredible,
        ),
    },
)
async def design_image(
    request: Request, session: DbSession, design_id: int, signature: str
) -> Response:
    """A design drawn with sample values, for anyone holding the URL `designs/{id}` gave."""
    rendered = await service.design_image(
        session,
        request.app.state.settings,
        render_pool(request),
        service.DesignImage(design_id, signature),
    )
    headers = {"Cache-Control": _IMAGE_CACHE, **headers_for(rendered.media_type)}
    return Response(rendered.content, media_type=rendered.media_type, headers=headers)
