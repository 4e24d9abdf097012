"""The Credly-shaped API family: its route class, router, guard and body reader.

Open edX's Credly client (openedx/credentials `badges/credly/api_client.py`) sends
`Authorization: Basic base64(<key>)`, the bare key with no colon; Credly's own documentation
says `base64(<key>:)`. Both are read here: framework Basic parsers refuse the first.
"""

import base64
import binascii
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal, authenticate_organization, enforce_rate_limit
from laurel.config import Settings
from laurel.db import DbSession
from laurel.kit.body import parse_json, validation_failed
from laurel.kit.errors import (
    ErrorFormat,
    Forbidden,
    InternalServerError,
    LaurelError,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    Unauthorized,
    ValidationFailed,
    error_responses,
)
from laurel.kit.ids import id_of_uuid, is_valid_id
from laurel.kit.routing import FamilyRoute, mount_family

M = TypeVar("M", bound=BaseModel)

PREFIX = "/credly/v1"


class CredlyRoute(FamilyRoute):
    """A route of the Credly-shaped API: errors as `{"data": {"message": ...}}`."""

    error_format = ErrorFormat.credly


class InvalidToken(Unauthorized):
    # Credly's words, which Open edX shows its admin when a key is wrong.
    default_message = "You specified an invalid authorization token."


class NotYourOrganization(Forbidden):
    default_message = "The authorization token does not belong to this organization."


class Unprocessable(ValidationFailed):
    """Credly answers a request it cannot act on with 422."""

    status_code = 422


COMMON_CREDLY_ERRORS: tuple[type[LaurelError], ...] = (
    InvalidToken,
    NotYourOrganization,
    NotFound,
    RateLimited,
    InternalServerError,
    ServiceUnavailable,
)


def credly_router() -> APIRouter:
    return APIRouter(
        prefix=PREFIX,
        tags=["Open edX (Credly-shaped)"],
        route_class=CredlyRoute,
        responses=error_responses(*COMMON_CREDLY_ERRORS, error_format=ErrorFormat.credly),
    )


def mount(*routers: APIRouter) -> APIRouter:
    return mount_family(CredlyRoute, *routers)


def basic_key(request: Request) -> str | None:
    """The API key of `Authorization: Basic`, whether encoded as `key` or as `key:`."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, _, _password = decoded.partition(":")
    return key.strip() or None


def organization_id_of(value: str) -> str | None:
    """The organization behind `{org}`: its UUID (what Open edX is given), or its Laurel id."""
    if is_valid_id(value):
        return value
    try:
        return id_of_uuid(UUID(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class CredlyRequest:
    principal: Principal
    session: AsyncSession
    settings: Settings


async def guard_credly_request(
    request: Request, session: DbSession, organization_id: str
) -> CredlyRequest:
    """The key's organization, rate-limited, and the one named in the path."""
    try:
        principal = await authenticate_organization(request, session, basic_key(request))
    except Unauthorized:
        raise InvalidToken() from None
    await enforce_rate_limit(request, principal.token_id)
    if organization_id_of(organization_id) != principal.organization_id:
        # Unknown or another organization's: one answer, so no UUID is confirmed to exist.
        raise NotYourOrganization()
    return CredlyRequest(principal, session, request.app.state.settings)


Credly = Annotated[CredlyRequest, Depends(guard_credly_request)]


def json_body(model: type[M]) -> Any:
    """The request body as `model`, read after the guard; 422 naming the field."""

    async def read_body(request: Request) -> M:
        payload = parse_json(await request.body())
        try:
            return model.model_validate(payload)
        except ValidationError as error:
            failed = validation_failed(error)
            raise Unprocessable(failed.message, param=failed.param) from None

    return Depends(read_body)
