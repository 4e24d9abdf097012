"""The OpenAPI document names every answer a route gives, and every reference in it resolves."""

from typing import Any

import pytest

from laurel.app import create_app
from laurel.config import Environment, Settings
from laurel.kit.errors import ErrorFormat

APP = create_app(Settings(env=Environment.testing, database_url="sqlite:////tmp/unused.db"))
DOCUMENT = APP.openapi()
OPERATIONS = [
    (method, path, operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
]


def _references(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return own + [ref for item in value.values() for ref in _references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _references(item)]
    return []


def test_every_reference_resolves_in_the_document() -> None:
    references = set(_references(DOCUMENT))
    assert references, "the document has references to check"
    for reference in references:
        assert reference.startswith("#/components/schemas/"), reference
        assert reference.removeprefix("#/components/schemas/") in DOCUMENT["components"]["schemas"]


def test_fastapis_422_is_documented_nowhere() -> None:
    # Laurel answers a failed validation `400 validation_error`; a 422 is Idempotency-Key's
    # (on writes) or a design over the render budget (on the routes that draw one).
    assert "HTTPValidationError" not in DOCUMENT["components"]["schemas"]
    for method, path, operation in OPERATIONS:
        if "422" not in operation["responses"]:
            continue
        description = operation["responses"]["422"]["description"]
        if "render_budget_exceeded" in description:
            continue
        if path.startswith("/credly/"):
            continue  # Credly's own contract: 422 for an award it cannot make
        assert "idempotency_key_reused" in description
        assert method in ("post", "put") and path.startswith("/v1/"), (method, path)


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: str(v)[:60])
def test_the_answers_around_every_route_are_documented(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    responses = operation["responses"]
    if "requestBody" in operation:
        assert "413" in responses
    if method in ("post", "put") and path.startswith("/v1/"):
        assert "idempotency_key_in_use" in responses["409"]["description"]
        assert "idempotency_key_reused" in responses["422"]["description"]
    # Each error in the format its API family renders it in.
    error_format: ErrorFormat = APP.state.error_formats.for_path(path)
    for status, answer in responses.items():
        if status.startswith(("4", "5")) and path.startswith("/v1/"):
            assert set(answer["content"]) == {error_format.media_type}, status


def test_only_routes_that_check_a_token_declare_one() -> None:
    secured = {(method, path) for method, path, operation in OPERATIONS if "security" in operation}
    assert ("post", "/v1/verify") not in secured
    assert ("get", "/v1/groups") in secured and ("get", "/v1/me") in secured
    for method, path, operation in OPERATIONS:
        assert ((method, path) in secured) == ("401" in operation["responses"]) or not (
            path.startswith("/v1/")
        ), (method, path)
