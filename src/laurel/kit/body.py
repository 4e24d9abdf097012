"""Reading a JSON request body: parsed strictly, refused as a 400 naming the field.

Each API family's `json_body` dependency (issuer_api, records_api) is built on these, so that
endpoints read the body only after their guard and never see FastAPI's 422.
"""

from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from laurel.kit.errors import InvalidJson, ValidationFailed


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


def body_docs(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """`openapi_extra` that documents the body a family's `json_body` reads."""
    return {
        "requestBody": {
            "required": required,
            "content": {"application/json": {"schema": model.model_json_schema(by_alias=True)}},
        }
    }
