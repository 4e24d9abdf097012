"""What every records-API router shares: problem+json errors in OpenAPI."""

from typing import Any

from fastapi import APIRouter

from laurel.kit.errors import (
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


def records_router(tag: str, **options: Any) -> APIRouter:
    return APIRouter(
        prefix="/v1",
        tags=[tag],
        responses=error_responses(*COMMON_RECORDS_ERRORS, problem=True),
        **options,
    )


def problems(*errors: type[LaurelError]) -> dict[int | str, dict[str, Any]]:
    return error_responses(*errors, problem=True)
