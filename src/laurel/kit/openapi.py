"""The OpenAPI document's last pass: what every route answers without declaring it itself.

Routes declare their own errors (`responses=error_responses(...)`); the answers that come from
the layers around them are added here, the same way for every route they apply to, in the
error format of the route's API family (`ErrorFormats.for_path`, as the errors are rendered):

- `413 payload_too_large` wherever a body is read (the request-context middleware);
- `400`, `409` and `422` of `Idempotency-Key` on every POST and PUT under /v1 (the middleware);
- no `422 HTTPValidationError`: FastAPI documents it for every route with parameters, but Laurel
  renders a failed validation as `400 validation_error`, which is documented instead;
- the bearer token as the security of exactly the operations that can answer `401`;
- the `$defs` of inline request bodies moved into `components/schemas`, so that their `$ref`s
  resolve against the document (`#/$defs/...` means the document's root in OpenAPI 3.1).
"""

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from laurel.kit.errors import (
    PROBLEM_JSON,
    ErrorFormat,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    LaurelError,
    PayloadTooLarge,
    ValidationFailed,
)

_COMPONENTS = "#/components/schemas/"
_FASTAPI_VALIDATION_ERROR = _COMPONENTS + "HTTPValidationError"
_IDEMPOTENT_METHODS = ("post", "put")


def finish_openapi(
    document: dict[str, Any],
    security_schemes: dict[str, Any],
    error_format_of: Callable[[str], ErrorFormat],
) -> dict[str, Any]:
    """`error_format_of` names the error format of the API family serving a path."""
    components = document.setdefault("components", {})
    components["securitySchemes"] = security_schemes
    schemas = components.setdefault("schemas", {})
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            _hoist_body_definitions(operation, schemas)
            error_format = error_format_of(path)
            _document_surrounding_answers(path, method, operation, schemas, error_format)
            if path.startswith("/v1/") and "401" in operation["responses"]:
                operation["security"] = [{name: []} for name in security_schemes]
    if _FASTAPI_VALIDATION_ERROR not in repr(document["paths"]):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    return document


def _document_surrounding_answers(
    path: str,
    method: str,
    operation: dict[str, Any],
    schemas: dict[str, Any],
    error_format: ErrorFormat,
) -> None:
    def add(error: type[LaurelError], note: str = "") -> None:
        _add(responses, error, error_format, schemas, note)

    responses: dict[str, Any] = operation["responses"]
    if error_format is ErrorFormat.problem_details:
        _problems_only(responses)
    fastapi_422 = responses.get("422", {})
    if _FASTAPI_VALIDATION_ERROR in repr(fastapi_422):
        del responses["422"]
        if "requestBody" in operation or _parameters_can_fail(operation):
            add(ValidationFailed)
    if "requestBody" in operation:
        add(PayloadTooLarge)
    if method in _IDEMPOTENT_METHODS and path.startswith("/v1/"):
        add(IdempotencyKeyInUse)
        add(IdempotencyKeyReused)
        add(ValidationFailed, note="or an `Idempotency-Key` out of bounds")


def _problems_only(responses: dict[str, Any]) -> None:
    """Problem details are sent as `application/problem+json` only.

    FastAPI files a response's `model` under the route's media type, `application/json`, beside
    the `application/problem+json` example that `openapi_response` gives: the schema moves there.
    """
    for status, answer in responses.items():
        content = answer.get("content", {})
        if (
            status.startswith(("4", "5"))
            and PROBLEM_JSON in content
            and "application/json" in content
        ):
            content[PROBLEM_JSON] = {**content.pop("application/json"), **content[PROBLEM_JSON]}


def _parameters_can_fail(operation: dict[str, Any]) -> bool:
    """Whether some parameter can be refused: anything but a plain, unconstrained string."""
    return any(
        parameter.get("schema", {}).keys() - {"title", "description"} != {"type"}
        or parameter["schema"]["type"] != "string"
        for parameter in operation.get("parameters", [])
    )


def _add(
    responses: dict[str, Any],
    error: type[LaurelError],
    error_format: ErrorFormat,
    schemas: dict[str, Any],
    note: str,
) -> None:
    status = str(error.status_code)
    entry = responses.get(status)
    if entry is None:
        entry = responses[status] = error_format.openapi_response(error)
        _inline_model(entry, schemas)
    elif f"`{error.code}`" not in entry.get("description", ""):
        entry["description"] = (
            f"{entry.get('description', '')}; `{error.code}`: {error.default_message}"
        )
    if note and note not in entry["description"]:
        entry["description"] += f" ({note})"


def _inline_model(entry: dict[str, Any], schemas: dict[str, Any]) -> None:
    """`ErrorFormat.openapi_response` names a pydantic model for FastAPI; here the schema goes in
    as a $ref."""
    model: type[BaseModel] = entry.pop("model")
    if model.__name__ not in schemas:
        schema = model.model_json_schema(ref_template=_COMPONENTS + "{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    for media in entry["content"].values():
        media["schema"] = {"$ref": _COMPONENTS + model.__name__}


def _hoist_body_definitions(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    for media in operation.get("requestBody", {}).get("content", {}).values():
        schema = media.get("schema", {})
        definitions: dict[str, Any] = schema.pop("$defs", {})
        for name, definition in definitions.items():
            existing = schemas.setdefault(name, _rewrite_refs(definition))
            if existing != _rewrite_refs(definition):
                raise ValueError(f"two different schemas are both named {name} in OpenAPI")
        media["schema"] = _rewrite_refs(schema)


def _rewrite_refs(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: (
                item.replace("#/$defs/", _COMPONENTS)
                if key == "$ref" and isinstance(item, str)
                else _rewrite_refs(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_rewrite_refs(item) for item in value]
    return value
