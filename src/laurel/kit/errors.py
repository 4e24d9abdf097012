"""The one error mechanism: `LaurelError` subclasses, rendered as Certifier's error envelope.

`{"error": {"code": "...", "message": "...", "param": "..."}}` — `param` appears only when one
field of the request is to blame. Each class documents itself for OpenAPI through `responses()`.
"""

from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel


class ErrorBody(BaseModel):
    code: str
    message: str
    param: str | None = None


class ErrorEnvelope(BaseModel):
    error: ErrorBody


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
        super().__init__(self.message)

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.param is not None:
            body["param"] = self.param
        return {"error": body}

    @classmethod
    def openapi_response(cls) -> dict[str, Any]:
        return {
            "model": ErrorEnvelope,
            "description": f"`{cls.code}`: {cls.default_message}",
            "content": {
                "application/json": {
                    "example": {"error": {"code": cls.code, "message": cls.default_message}}
                }
            },
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


class Conflict(LaurelError):
    status_code = 409
    code = "conflict"
    default_message = "The request conflicts with the current state of the resource"


class PayloadTooLarge(LaurelError):
    status_code = 413
    code = "payload_too_large"
    default_message = "The request body is larger than this server accepts"


class RateLimited(LaurelError):
    status_code = 429
    code = "rate_limited"
    default_message = "You have exceeded the rate limit"


def error_responses(*errors: type[LaurelError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the given errors; several codes on one status share an entry."""
    responses: dict[int | str, dict[str, Any]] = {}
    for error in errors:
        entry = responses.get(error.status_code)
        if entry is None:
            responses[error.status_code] = error.openapi_response()
        else:
            entry["description"] += f"; `{error.code}`: {error.default_message}"
    return responses


COMMON_API_ERRORS: tuple[type[LaurelError], ...] = (
    MissingVersion,
    InvalidVersion,
    Unauthorized,
    RateLimited,
    InternalServerError,
)


class IdempotencyKeyReused(LaurelError):
    status_code = 422
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was used with a different request"


class IdempotencyKeyInUse(LaurelError):
    status_code = 409
    code = "idempotency_key_in_use"
    default_message = "A request with this Idempotency-Key is still being processed; retry shortly"


Found = TypeVar("Found")


def found(value: Found | None) -> Found:
    """`value`, or `404 not_found` when the lookup found nothing."""
    if value is None:
        raise NotFound()
    return value
