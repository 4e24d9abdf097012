"""The issuer API, compatible with Certifier's v1: what every one of its routes shares.

Named for what it serves (an issuer's credentials, templates and designs), as the records API
is; the compatibility is Certifier's. A domain declares its routes on `issuer_router(...)` and
`app.py` mounts them all through `mount(...)`. Its routes, and only they:

- are guarded by `Api`: an organization's access token, its rate limit, then the
  `Certifier-Version` header, in Certifier's order;
- read their body with `json_body`, upgraded from the caller's version to the newest shape,
  and downgrade their responses back (`IssuerRoute`, a `VersionedRoute`);
- page with `PageQuery` into `{"data", "pagination": {"prev", "next"}}`;
- speak camelCase (`CamelModel`) and answer errors in Certifier's envelope,
  `{"error": {"code", "message", "param"?}}`, because `IssuerRoute` carries that format.
"""

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import (
    Principal,
    authenticate_organization,
    bearer_token,
    enforce_rate_limit,
)
from laurel.config import Settings
from laurel.db import DbSession
from laurel.kit.body import parse_json, validation_failed
from laurel.kit.errors import (
    ErrorFormat,
    InternalServerError,
    InvalidVersion,
    LaurelError,
    MissingVersion,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
    error_responses,
)
from laurel.kit.pagination import PageParams, PageResult, page_query
from laurel.kit.routing import FamilyRoute, mount_family
from laurel.kit.versioning import VersionBundle, VersionedRoute, require_api_version

M = TypeVar("M", bound=BaseModel)
Item = TypeVar("Item")


class IssuerRoute(VersionedRoute, FamilyRoute):
    """A route of the issuer API: versioned responses, errors in Certifier's envelope."""

    error_format = ErrorFormat.envelope


# What any issuer-API route may answer besides its own errors.
COMMON_API_ERRORS: tuple[type[LaurelError], ...] = (
    MissingVersion,
    InvalidVersion,
    Unauthorized,
    RateLimited,
    InternalServerError,
    ServiceUnavailable,
)


def issuer_router(**options: Any) -> APIRouter:
    """A domain's router in the issuer API (`prefix`, `tags`, ... as for `APIRouter`)."""
    return APIRouter(
        route_class=IssuerRoute, responses=error_responses(*COMMON_API_ERRORS), **options
    )


def mount(*routers: APIRouter) -> APIRouter:
    """The issuer API: its domains' routers, each route checked to be an `IssuerRoute`."""
    return mount_family(IssuerRoute, *routers)


@dataclass(frozen=True)
class ApiRequest:
    """What an endpoint of the issuer API works with: the caller and the request's transaction."""

    principal: Principal
    session: AsyncSession
    settings: Settings


async def guard_api_request(request: Request, session: DbSession) -> ApiRequest:
    """Authenticate, rate-limit and pin the API version, in that order, once per request.

    Endpoints declare this one dependency rather than a chain (token, session, limit, version):
    FastAPI walks every declared dependency's sub-dependencies on each request, cache or not,
    and that walk was a third of the hottest route's time (docs/benchmarks.md).
    """
    principal = await authenticate_organization(request, session, bearer_token(request))
    await enforce_rate_limit(request, principal.token_id)
    await require_api_version(request)
    return ApiRequest(principal, session, request.app.state.settings)


# Every issuer endpoint takes `api: Api`; tests/test_auth_everywhere.py checks that none forgets.
Api = Annotated[ApiRequest, Depends(guard_api_request)]


def json_body(model: type[M], *, required: bool = True) -> Any:
    """The request body as `model`, read after the guard, upgraded from the caller's version.

    Endpoints take `body: Annotated[Model, json_body(Model)]` instead of FastAPI's own body
    parameter, so that the body is read only after the caller is authenticated and the version
    checked, and fails as one of our 400s naming the field. Declare it after `Api`, which pins
    the version. With `required=False` an empty body stands for `{}`.
    """

    async def read_body(request: Request) -> M:
        version: str | None = getattr(request.state, "api_version", None)
        if version is None:
            raise RuntimeError("json_body must come after the API guard in the signature")
        raw = await request.body()
        payload = parse_json(raw) if raw.strip() or required else {}
        bundle: VersionBundle = request.app.state.versions
        payload = bundle.upgrade_request(version, request.scope["route"].name, payload)
        try:
            return model.model_validate(payload)
        except ValidationError as error:
            raise validation_failed(error) from None

    return Depends(read_body)


DEFAULT_LIMIT = 20
MAX_LIMIT = 100
PageQuery = Annotated[
    PageParams,
    page_query(DEFAULT_LIMIT, MAX_LIMIT, "`pagination.next` or `pagination.prev` of a page."),
]


class Pagination(BaseModel):
    prev: str | None
    next: str | None


class ListResponse(BaseModel, Generic[Item]):
    data: list[Item]
    pagination: Pagination


def list_body(result: PageResult[Any]) -> dict[str, Any]:
    """The list shape, left for the route's `response_model` to validate and serialize once."""
    return {"data": result.rows, "pagination": {"prev": result.prev, "next": result.next}}


class CamelModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        from_attributes=True,
        # Unknown request fields are ignored, as Certifier does, so that clients written
        # against Certifier keep working; the documented fields are validated strictly.
        extra="ignore",
    )
