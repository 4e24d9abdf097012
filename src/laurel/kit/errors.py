"""The one error mechanism: `LaurelError` subclasses, written in one of the `ErrorFormat`s.

`ErrorFormat.envelope` is Certifier's `{"error": {"code", "message", "param"?}}`;
`ErrorFormat.problem_details` is RFC 9457 (`application/problem+json`) with the same stable
`code` and the field in `field`; `ErrorFormat.accredible` is Accredible's
`{"success": false, "data": "<message>"}` and `ErrorFormat.credly` Credly's
`{"data": {"message": "<message>"}}`. Which one a request gets is not decided here: each
API family picks its format, and its routes carry it (`kit/routing.py`). `param` appears only
when one field of the request is to blame. Each format documents an error class for OpenAPI
(`ErrorFormat.openapi_response`).
"""

from collections.abc import Awaitable, Callable
from enum import Enum
from http import HTTPStatus
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

from laurel.kit.ids import is_valid_id
from laurel.kit.outages import database_unreachable


class ErrorBody(BaseModel):
    code: str
    message: str
    param: str | None = None


class ErrorEnvelope(BaseModel):
    error: ErrorBody


class AccredibleError(BaseModel):
    """Accredible's error body: `data` is the message."""

    success: bool
    data: str


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, as the records API answers errors."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    field: str | None = None


class CredlyErrorMessage(BaseModel):
    message: str


class CredlyError(BaseModel):
    """Credly's error body, as the Credly-shaped endpoints answer errors."""

    data: CredlyErrorMessage


PROBLEM_JSON = "application/problem+json"


class LaurelError(Exception):
    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_server_error"
    default_message: ClassVar[str] = (
        "Something went wrong on our side; the request id identifies it"
    )

    def __init__(
        self,
        message: str | None = None,
        *,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.param = param
        self.headers = headers or {}
        # Members a records-API problem adds beside the standard ones (RFC 9457 extensions).
        self.extensions: dict[str, Any] = {}
        super().__init__(self.message)

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.param is not None:
            body["param"] = self.param
        return {"error": body}

    def problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"/problems/{self.code}",
            "title": HTTPStatus(self.status_code).phrase,
            "status": self.status_code,
            "detail": self.message,
            "code": self.code,
        }
        if self.param is not None:
            body["field"] = self.param
        return {**body, **self.extensions}


class ErrorFormat(Enum):
    """How an error is written on the wire: one per API family, and the shape of the service
    that family is compatible with."""

    # Certifier's `{"error": {"code", "message", "param"}}` (the issuer API).
    envelope = "envelope"
    # RFC 9457 problem details (the records API, as COSMIC's).
    problem_details = "problem_details"
    # Accredible's `{"success": false, "data": message}`, for the endpoints Open edX calls.
    accredible = "accredible"
    # Credly's `{"data": {"message": ...}}`, for the endpoints Open edX calls.
    credly = "credly"

    @property
    def media_type(self) -> str:
        return PROBLEM_JSON if self is ErrorFormat.problem_details else "application/json"

    def body(self, error: LaurelError) -> dict[str, Any]:
        return _BODIES[self](error)

    def openapi_response(self, error: type[LaurelError]) -> dict[str, Any]:
        """The OpenAPI `responses=` entry of `error` in this format, with an example."""
        # An instance with the default message, whatever arguments the class's own __init__ takes.
        example = LaurelError.__new__(error)
        LaurelError.__init__(example)
        return {
            "model": _MODELS[self],
            "description": f"`{error.code}`: {error.default_message}",
            "content": {self.media_type: {"example": self.body(example)}},
        }


_BODIES: dict[ErrorFormat, Callable[[LaurelError], dict[str, Any]]] = {
    ErrorFormat.envelope: LaurelError.envelope,
    ErrorFormat.problem_details: LaurelError.problem,
    ErrorFormat.accredible: lambda error: {"success": False, "data": error.message},
    ErrorFormat.credly: lambda error: {"data": {"message": error.message}},
}
_MODELS: dict[ErrorFormat, type[BaseModel]] = {
    ErrorFormat.envelope: ErrorEnvelope,
    ErrorFormat.problem_details: ProblemDetails,
    ErrorFormat.accredible: AccredibleError,
    ErrorFormat.credly: CredlyError,
}


class InternalServerError(LaurelError):
    pass


class MissingVersion(LaurelError):
    status_code = 400
    code = "missing_version"
    default_message = "The request is missing the required Certifier-Version header"


class InvalidVersion(LaurelError):
    status_code = 400
    code = "invalid_version"
    default_message = "The Certifier-Version header names a version this server does not support"


class InvalidJson(LaurelError):
    status_code = 400
    code = "invalid_json"
    default_message = "The request body is not valid UTF-8 encoded JSON"


class ValidationFailed(LaurelError):
    status_code = 400
    code = "validation_error"
    default_message = "A field of the request is missing or invalid"


class Unauthorized(LaurelError):
    status_code = 401
    code = "unauthorized"
    default_message = "A valid authentication token was not provided with the request"


class PaymentRequired(LaurelError):
    status_code = 402
    code = "payment_required"
    default_message = "The requested feature is only available to premium organizations"


class Forbidden(LaurelError):
    status_code = 403
    code = "forbidden"
    default_message = "This token may not perform the request"


class NotFound(LaurelError):
    status_code = 404
    code = "not_found"
    default_message = "The requested resource does not exist"


class MethodNotAllowed(LaurelError):
    status_code = 405
    code = "method_not_allowed"
    default_message = "The resource does not support this HTTP method"


class InsufficientScope(LaurelError):
    status_code = 403
    code = "insufficient_scope"
    default_message = "The access token was not granted the scope this request needs"


class Conflict(LaurelError):
    status_code = 409
    code = "conflict"
    default_message = "The request conflicts with the current state of the resource"


class InvalidTransition(Conflict):
    code = "invalid_lifecycle_transition"
    default_message = "The record's lifecycle status does not allow this action"


class DuplicateExternalId(Conflict):
    code = "duplicate_external_id"
    default_message = "A record with this external_source and external_id exists already"

    def __init__(self, existing_id: str) -> None:
        super().__init__(param="external_id")
        self.extensions["existing_id"] = existing_id


class PayloadTooLarge(LaurelError):
    status_code = 413
    code = "payload_too_large"
    default_message = "The request body is larger than this server accepts"


class RequestTimeout(LaurelError):
    status_code = 408
    code = "request_timeout"
    default_message = "The request body did not arrive in time"

    def __init__(self, seconds: float) -> None:
        # The rest of the body may still be on its way: the connection cannot carry a next request.
        super().__init__(
            f"The request body must arrive within {seconds:g} s of its headers",
            headers={"Connection": "close"},
        )


class RateLimited(LaurelError):
    status_code = 429
    code = "rate_limited"
    default_message = "You have exceeded the rate limit"


RETRY_AFTER_SECONDS = 5


class ServiceUnavailable(LaurelError):
    """The database is out of reach, or this process holds all the connections it may."""

    status_code = 503
    code = "service_unavailable"
    default_message = "The service is briefly unavailable; retry after the Retry-After seconds"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


class RenderBudgetExceeded(LaurelError):
    """A design that needs more time or memory to draw than the render budget allows.

    The design's doing, not the server's: asking again draws nothing new (the refusal is
    remembered for a while), a simpler design does.
    """

    status_code = 422
    code = "render_budget_exceeded"
    default_message = (
        "The design needs more time or memory to render than this server allows; simplify it"
    )


class RenderUnavailable(LaurelError):
    status_code = 503
    code = "render_unavailable"
    default_message = "Every renderer is busy; retry after the seconds in Retry-After"


def error_responses(
    *errors: type[LaurelError], error_format: ErrorFormat = ErrorFormat.envelope
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the given errors; several codes on one status share an entry."""
    responses: dict[int | str, dict[str, Any]] = {}
    for error in errors:
        entry = responses.get(error.status_code)
        if entry is None:
            responses[error.status_code] = error_format.openapi_response(error)
        else:
            entry["description"] += f"; `{error.code}`: {error.default_message}"
    return responses


class IdempotencyKeyReused(LaurelError):
    status_code = 422
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was used with a different request"


class IdempotencyKeyInUse(LaurelError):
    status_code = 409
    code = "idempotency_key_in_use"
    default_message = "A request with this Idempotency-Key is still being processed; retry shortly"


def as_laurel_error(error: Exception) -> LaurelError:
    """The answer to an exception that reached the top of a request: ours as they are, an
    outage of the database `503 service_unavailable`, anything else `500`."""
    if isinstance(error, LaurelError):
        return error
    if database_unreachable(error):
        return ServiceUnavailable()
    return InternalServerError()


Found = TypeVar("Found")


def found(value: Found | None) -> Found:
    """`value`, or `404 not_found` when the lookup found nothing."""
    if value is None:
        raise NotFound()
    return value


async def found_by_id(lookup: Callable[[str], Awaitable[Found | None]], resource_id: str) -> Found:
    """What `lookup` finds by `resource_id`, or `404 not_found`; an id no resource can have is
    not found without a query."""
    return found(await lookup(resource_id) if is_valid_id(resource_id) else None)
