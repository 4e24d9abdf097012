"""Every /v1 route refuses a request without a valid token: no endpoint forgot its guard."""

import re

import httpx
import pytest
from fastapi import FastAPI

from laurel.app import create_app
from laurel.config import Environment, Settings

PUBLIC_V1_ROUTES = {("POST", "/v1/verify")}


def _v1_routes() -> list[tuple[str, str]]:
    """Every documented /v1 operation but the public ones (OpenAPI lists what the app serves)."""
    app = create_app(Settings(env=Environment.testing, database_url="sqlite:////tmp/unused.db"))
    return sorted(
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/v1/")
        for method in operations
        if (method.upper(), path) not in PUBLIC_V1_ROUTES
    )


V1_ROUTES = _v1_routes()


def test_there_are_routes_to_check() -> None:
    assert len(V1_ROUTES) >= 10


@pytest.mark.parametrize(("method", "path"), V1_ROUTES)
async def test_route_requires_a_token(
    app: FastAPI, client: httpx.AsyncClient, method: str, path: str
) -> None:
    concrete = re.sub(r"\{[^}]+\}", "01hz2ej4yzdcfkq9fa78nhyj0x", path)
    response = await client.request(
        method,
        concrete,
        json={"name": "x"},
        headers={"Certifier-Version": "2022-10-26", "Authorization": "Bearer nope"},
    )
    assert response.status_code == 401, (method, path, response.text)


async def test_openapi_declares_the_bearer_scheme(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    assert document["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    assert document["paths"]["/v1/groups"]["get"]["security"] == [{"BearerAuth": []}]
    assert "security" not in document["paths"]["/healthz"]["get"]
