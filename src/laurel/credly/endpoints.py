"""The Credly calls Open edX makes (openedx/credentials `badges/credly/api_client.py`).

Paths end in `/` as Open edX sends them, and are routed exactly: a redirect would turn its POST
into a GET. Every success has a JSON body, because the client reads one from every answer.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from laurel.credly.api import Credly, Unprocessable, credly_router, json_body
from laurel.credly.schemas import (
    Badge,
    BadgeCreate,
    BadgeRevoke,
    Data,
    EventBody,
    Organization,
    TemplateList,
    data_body,
)
from laurel.credly.service import (
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    BadgeNotFound,
    CredlyApi,
    EventNotFound,
    Page,
    page_count,
    template_image,
)
from laurel.db import DbSession
from laurel.kit.body import body_docs
from laurel.kit.errors import (
    ErrorFormat,
    InvalidJson,
    LaurelError,
    NotFound,
    RenderBudgetExceeded,
    RenderUnavailable,
    error_responses,
)
from laurel.kit.svg_headers import headers_for
from laurel.links import PublicLinks
from laurel.rendering.pool import render_pool

router = credly_router()
ORGANIZATION = "/organizations/{organization_id}"


def _errors(*errors: type[LaurelError]) -> dict[int | str, dict[str, Any]]:
    """A route's own errors, documented in Credly's shape like the router's common ones."""
    return error_responses(*errors, error_format=ErrorFormat.credly)


def _api(credly: Any) -> CredlyApi:
    return CredlyApi(credly.session, credly.principal, credly.settings)


@router.get(f"{ORGANIZATION}/", response_model=Data[Organization], name="credly.organization")
async def get_organization(credly: Credly) -> dict[str, Any]:
    """The organization the key belongs to; Open edX stores its `name`."""
    return data_body(await _api(credly).organization())


def _state_filter(value: str | None) -> str | None:
    """`state::active` (Credly's `key::value`, colons unescaped); other keys are not filters."""
    if not value:
        return None
    for clause in value.split("|"):
        key, _, wanted = clause.partition("::")
        if key.strip() == "state":
            return wanted.strip()
    return None


@router.get(
    f"{ORGANIZATION}/badge_templates/",
    response_model=TemplateList,
    name="credly.badge_templates",
)
async def list_badge_templates(
    credly: Credly,
    request: Request,
    filter: Annotated[str | None, Query(description="`state::active`")] = None,
    # Bounded so that the offset fits a database integer (a million pages of 100 is far past
    # any organization's templates; beyond it is a 422 naming `page`, not a 500).
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = DEFAULT_PER_PAGE,
) -> dict[str, Any]:
    """The organization's credential templates, with Credly's paging metadata."""
    items, total = await _api(credly).templates(_state_filter(filter), Page(page, per))
    pages = page_count(total, per)

    def page_url(number: int) -> str:
        base = PublicLinks.of(credly.settings).base
        query = request.url.include_query_params(page=number).query
        return f"{base}{request.url.path}?{query}"

    return {
        "data": items,
        "metadata": {
            "count": len(items),
            "current_page": page,
            "total_count": total,
            "total_pages": pages,
            "per": per,
            "previous_page_url": page_url(page - 1) if 1 < page <= pages + 1 else None,
            "next_page_url": page_url(page + 1) if page < pages else None,
        },
    }


@router.get(
    f"{ORGANIZATION}/events/{{event_id}}/",
    response_model=Data[EventBody],
    name="credly.event",
    responses=_errors(EventNotFound),
)
async def get_event(credly: Credly, event_id: str) -> dict[str, Any]:
    """A template event pushed to Open edX's webhook, read back by its id."""
    return data_body(await _api(credly).event(event_id))


@router.post(
    f"{ORGANIZATION}/badges/",
    response_model=Data[Badge],
    status_code=201,
    name="credly.issue_badge",
    responses={
        200: {
            "model": Data[Badge],
            "description": "The badge awarded before for this template and recipient email",
        },
        **_errors(InvalidJson, Unprocessable),
    },
    openapi_extra=body_docs(BadgeCreate),
)
async def issue_badge(
    credly: Credly,
    response: Response,
    body: Annotated[BadgeCreate, json_body(BadgeCreate)],
) -> dict[str, Any]:
    """Issue and email a badge (201); the same template and email again answers it (200)."""
    badge, created = await _api(credly).award(body)
    if not created:
        response.status_code = 200
    return data_body(badge)


@router.put(
    f"{ORGANIZATION}/badges/{{badge_id}}/revoke/",
    response_model=Data[Badge],
    name="credly.revoke_badge",
    responses=_errors(InvalidJson, BadgeNotFound, Unprocessable),
    openapi_extra=body_docs(BadgeRevoke),
)
async def revoke_badge(
    credly: Credly, badge_id: str, body: Annotated[BadgeRevoke, json_body(BadgeRevoke)]
) -> dict[str, Any]:
    """Revoke: the status list changes, the reason is kept."""
    return data_body(await _api(credly).revoke(badge_id, body.reason))


class RotatedToken(BaseModel):
    token: str


@router.post(
    f"{ORGANIZATION}/authorization_tokens/rotate",
    response_model=Data[RotatedToken],
    name="credly.rotate_token",
)
async def rotate_token(credly: Credly) -> dict[str, Any]:
    """A new key for the organization; the key that asked stops working (open PR
    openedx/credentials#3000 calls this before the key's assumed 180 days run out)."""
    return data_body({"token": await _api(credly).rotate_key()})


# The template icons Open edX stores: public, as Credly's image URLs are.
public = APIRouter(tags=["Public pages"])


@public.get(
    "/credly/templates/{template_id}/image.png",
    name="public.badge_template_image",
    response_class=Response,
    # A public page's route, outside the Credly family: its errors are the pages' envelope.
    responses=error_responses(NotFound, RenderBudgetExceeded, RenderUnavailable),
)
async def badge_template_image(request: Request, session: DbSession, template_id: str) -> Response:
    """A credential template's image (its id is its UUID): its badge design with sample
    values; 404 for no template."""
    rendered = await template_image(
        session, request.app.state.settings, render_pool(request), template_id
    )
    headers = {"Cache-Control": "public, max-age=300", **headers_for(rendered.media_type)}
    return Response(rendered.content, media_type=rendered.media_type, headers=headers)


# Declared last: any other path under the prefix is Credly's JSON 404, never Starlette's
# redirect to the other slash form (a redirected POST arrives as a GET); a path served with
# other methods is a 405 (the app's handler lists them in `Allow`).
@router.api_route(
    "/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
    name="credly.no_such_path",
)
async def no_such_path(request: Request, path: str) -> None:
    served = [
        route
        for route in router.routes
        if isinstance(route, APIRoute)
        and route.name != "credly.no_such_path"
        and route.path_regex.match(request.url.path)
    ]
    if served:
        raise StarletteHTTPException(405)
    raise NotFound("No such path: Laurel serves the paths Open edX calls, each ending in '/'")
