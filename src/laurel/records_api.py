"""The records API, compatible with COSMIC's: what every one of its routes shares.

Named for what it serves (people's certification records, in their organizations), as the
issuer API is; the compatibility is COSMIC's. A domain declares its routes on
`records_router(...)` and `app.py` mounts them all through `mount(...)`. Its routes, and only
they:

- are guarded by a user's token and the scope the route needs, in the route's signature
  (`RecordsRead`, `MembersWrite`, ...); the membership and role are the services' to ask of the
  `Caller`;
- read their body with `json_body` (the records API has no versions);
- page with `PageQuery` into `{"data", "page": {"next_cursor", "has_more"}}`, and wrap one
  resource as `{"data": {...}}`;
- speak snake_case (`SnakeModel`) and answer errors as RFC 9457 problem details
  (`application/problem+json`), because `RecordsRoute` carries that format.
"""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import bearer_token, enforce_rate_limit
from laurel.auth.scopes import Scope
from laurel.auth.users import Caller, authenticate_user
from laurel.config import Settings
from laurel.db import DbSession
from laurel.kit.body import parse_json, validation_failed
from laurel.kit.errors import (
    ErrorFormat,
    Forbidden,
    InsufficientScope,
    InternalServerError,
    LaurelError,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
    ValidationFailed,
    error_responses,
)
from laurel.kit.pagination import PageParams, PageResult, page_query
from laurel.kit.routing import FamilyRoute, mount_family

M = TypeVar("M", bound=BaseModel)
Item = TypeVar("Item")


class RecordsRoute(FamilyRoute):
    """A route of the records API: errors as problem details."""

    error_format = ErrorFormat.problem_details


# What any records-API route may answer besides its own errors.
COMMON_RECORDS_ERRORS: tuple[type[LaurelError], ...] = (
    ValidationFailed,
    Unauthorized,
    InsufficientScope,
    Forbidden,
    NotFound,
    RateLimited,
    InternalServerError,
    ServiceUnavailable,
)


def records_router(tag: str | None = None, **options: Any) -> APIRouter:
    """A domain's router in the records API, under `/v1`; without a tag, one to include in
    another records router, which gives it the prefix, tag and errors."""
    if tag is None:
        return APIRouter(route_class=RecordsRoute, **options)
    return APIRouter(
        prefix="/v1",
        tags=[tag],
        route_class=RecordsRoute,
        responses=problems(*COMMON_RECORDS_ERRORS),
        **options,
    )


def mount(*routers: APIRouter) -> APIRouter:
    """The records API: its domains' routers, each route checked to be a `RecordsRoute`."""
    return mount_family(RecordsRoute, *routers)


def problems(*errors: type[LaurelError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the given errors, as problem details."""
    return error_responses(*errors, error_format=ErrorFormat.problem_details)


@dataclass(frozen=True)
class RecordsRequest:
    caller: Caller
    session: AsyncSession
    settings: Settings


def _guard(scope: Scope | None) -> Callable[..., Coroutine[Any, Any, RecordsRequest]]:
    async def guard_records_request(request: Request, session: DbSession) -> RecordsRequest:
        caller = await authenticate_user(session, bearer_token(request))
        await enforce_rate_limit(request, caller.token_id)
        if scope is not None and scope.value not in caller.scopes:
            raise InsufficientScope(f"This request needs the '{scope.value}' scope")
        return RecordsRequest(caller, session, request.app.state.settings)

    guard_records_request.__name__ = f"guard_{scope.name if scope else 'identity'}"
    return guard_records_request


def _requires(scope: Scope | None) -> Any:
    return Depends(_guard(scope))


# Each records endpoint takes one of these; the scope it needs is in its signature. A request
# is allowed only when the token's scope **and** the user's membership (and its role) allow it.
Identity = Annotated[RecordsRequest, _requires(None)]
RecordsRead = Annotated[RecordsRequest, _requires(Scope.certification_records_read)]
RecordsWrite = Annotated[RecordsRequest, _requires(Scope.certification_records_write)]
TypesRead = Annotated[RecordsRequest, _requires(Scope.certification_types_read)]
TypesWrite = Annotated[RecordsRequest, _requires(Scope.certification_types_write)]
JobRolesRead = Annotated[RecordsRequest, _requires(Scope.job_roles_read)]
JobRolesWrite = Annotated[RecordsRequest, _requires(Scope.job_roles_write)]
MembersRead = Annotated[RecordsRequest, _requires(Scope.organization_members_read)]
MembersWrite = Annotated[RecordsRequest, _requires(Scope.organization_members_write)]
OrganizationsRead = Annotated[RecordsRequest, _requires(Scope.organizations_read)]
OrganizationsWrite = Annotated[RecordsRequest, _requires(Scope.organizations_write)]
QualificationsRead = Annotated[RecordsRequest, _requires(Scope.qualifications_read)]
QualificationsWrite = Annotated[RecordsRequest, _requires(Scope.qualifications_write)]


def json_body(model: type[M], *, required: bool = True) -> Any:
    """The request body as `model`: parsed, validated, refused as a 400 naming the field.

    With `required=False` an empty body stands for `{}`.
    """

    async def read_body(request: Request) -> M:
        raw = await request.body()
        payload = parse_json(raw) if raw.strip() or required else {}
        try:
            return model.model_validate(payload)
        except ValidationError as error:
            raise validation_failed(error) from None

    return Depends(read_body)


DEFAULT_LIMIT = 50
MAX_LIMIT = 200
PageQuery = Annotated[
    PageParams,
    page_query(DEFAULT_LIMIT, MAX_LIMIT, "`page.next_cursor` of the previous page."),
]


class RecordsPage(BaseModel):
    next_cursor: str | None
    has_more: bool


class RecordsListResponse(BaseModel, Generic[Item]):
    data: list[Item]
    page: RecordsPage


def list_body(result: PageResult[Any]) -> dict[str, Any]:
    """The records API's list shape; it pages forward only."""
    return {
        "data": result.rows,
        "page": {"next_cursor": result.next, "has_more": result.next is not None},
    }


class Data(BaseModel, Generic[Item]):
    """The records API's single-resource envelope, `{"data": {...}}`."""

    data: Item


def data_body(item: object) -> dict[str, object]:
    return {"data": item}


class SnakeModel(BaseModel):
    """Base model of the records API: snake_case, read from ORM objects.

    Unknown request fields are ignored, as the issuer API does, so both APIs behave alike.
    """

    model_config = ConfigDict(from_attributes=True, extra="ignore")
