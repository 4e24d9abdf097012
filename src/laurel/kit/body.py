"""The JSON request body of the Certifier-compatible API.

Endpoints take `body: Annotated[Model, json_body(Model)]` instead of FastAPI's own body
parameter, so that the body is read only after the caller is authenticated and the version
checked, is upgraded from the caller's API version to the head shape, and fails as one of our
400s naming the field.
"""

from typing import Any, TypeVar

import orjson
from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from laurel.kit.errors import InvalidJson, ValidationFailed
from laurel.kit.versioning import VersionBundle

M = TypeVar("M", bound=BaseModel)


def describe_location(location: tuple[int | str, ...]) -> str | None:
    """`("designIds", 0)` -> `designIds[0]`."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or None


def validation_failed(error: ValidationError) -> ValidationFailed:
    first = error.errors(include_url=False)[0]
    param = describe_location(tuple(first["loc"]))
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "model_type" and param is None:
        message = "The request body must be a JSON object"
    return ValidationFailed(f"{param}: {message}" if param else message, param=param)


def parse_json(raw: bytes) -> Any:
    if not raw.strip():
        raise InvalidJson("The request body is empty; send a JSON object")
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise InvalidJson(f"The request body is not valid JSON: {error}") from None
    # PostgreSQL cannot store NUL in text, and no field of ours has a use for it.
    if b"\\u0000" in raw:
        raise ValidationFailed("The request body contains a NUL character (\\u0000)")
    return payload


def json_body(model: type[M], *, required: bool = True) -> Any:
    """A body dependency; declare it after the endpoint's `Api` guard, which pins the version.

    With `required=False` an empty body stands for `{}`.
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


def plain_json_body(model: type[M], *, required: bool = True) -> Any:
    """A body dependency for the records API, which has no versions: parsed, validated, 400s.

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


def body_docs(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """`openapi_extra` that documents the body `json_body` reads."""
    return {
        "requestBody": {
            "required": required,
            "content": {"application/json": {"schema": model.model_json_schema(by_alias=True)}},
        }
    }
