"""What every route of the Accredible-shaped API shares: its route class, guard and body.

A third API family beside the issuer and records APIs, for one client: Open edX's Credentials
service, which speaks Accredible's v1. Its routes, and only they:

- are guarded by `Issuer`: one of the organization's API tokens, sent as Open edX sends it
  (`Authorization: Bearer <key>`) or as Accredible documents it (`Token token=<key>`), then
  the token's rate limit;
- read their body with `json_body`, a 400 naming the field on bad input;
- answer errors as Accredible does, `{"success": false, "data": "<message>"}`, because
  `AccredibleRoute` carries that format, and answer every success with a JSON body.
"""

import re
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal, authenticate_organization, enforce_rate_limit
from laurel.config import Settings
from laurel.db import DbSession
from laurel.kit.body import parse_json, validation_failed
from laurel.kit.errors import (
    ErrorFormat,
    InternalServerError,
    LaurelError,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
    error_responses,
)
from laurel.kit.routing import FamilyRoute, mount_family

M = TypeVar("M", bound=BaseModel)

# Where `app.py` mounts the family: `ACCREDIBLE_API_BASE_URL=https://<laurel>/accredible/v1/`.
PREFIX = "/accredible/v1"
# Accredible's own answer to a missing or wrong key, word for word.
INVALID_KEY = "issuer_token not valid"
# `Token token=<key>` (Accredible's documented form), the key optionally quoted.
_TOKEN_SCHEME = re.compile(r'^token\s+token="?([^"\s]+)"?\s*$', re.IGNORECASE)


class AccredibleRoute(FamilyRoute):
    """A route of the Accredible-shaped API: errors as Accredible writes them."""

    error_format = ErrorFormat.accredible


COMMON_ACCREDIBLE_ERRORS: tuple[type[LaurelError], ...] = (
    Unauthorized,
    RateLimited,
    InternalServerError,
    ServiceUnavailable,
)


def accredible_router(**options: Any) -> APIRouter:
    """The family's router, under its prefix (`tags`, ... as for `APIRouter`)."""
    return APIRouter(
        prefix=PREFIX,
        route_class=AccredibleRoute,
        responses=error_responses(*COMMON_ACCREDIBLE_ERRORS, error_format=ErrorFormat.accredible),
        **options,
    )


def mount(*routers: APIRouter) -> APIRouter:
    """The Accredible-shaped API, each route checked to be an `AccredibleRoute`."""
    return mount_family(AccredibleRoute, *routers)


def api_key(request: Request) -> str | None:
    """The key of `Authorization: Bearer <key>` or `Authorization: Token token=<key>`."""
    header = request.headers.get("authorization", "").strip()
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    match = _TOKEN_SCHEME.match(header)
    return match.group(1) if match else None


@dataclass(frozen=True)
class IssuerRequest:
    """What an endpoint of the family works with: the organization and the transaction."""

    principal: Principal
    session: AsyncSession
    settings: Settings


async def guard_issuer_request(request: Request, session: DbSession) -> IssuerRequest:
    """The organization whose API token the request carries, counted against its rate limit."""
    try:
        principal = await authenticate_organization(request, session, api_key(request))
    except Unauthorized:
        raise Unauthorized(INVALID_KEY) from None
    await enforce_rate_limit(request, principal.token_id)
    return IssuerRequest(principal, session, request.app.state.settings)


Issuer = Annotated[IssuerRequest, Depends(guard_issuer_request)]


def json_body(model: type[M]) -> Any:
    """The request body as `model`, read after the guard; a 400 naming the field otherwise."""

    async def read_body(request: Request) -> M:
        payload = parse_json(await request.body())
        try:
            return model.model_validate(payload)
        except ValidationError as error:
            raise validation_failed(error) from None

    return Depends(read_body)
