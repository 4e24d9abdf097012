"""What every request meets: auth, the version header, errors, limits, request ids, health."""

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from laurel.app import create_app
from laurel.config import Settings
from laurel.db import Database
from laurel.tokens.service import revoke_token
from tests.conftest import VERSION, CertifierClient, Tenant, make_client

MISSING_VERSION = {
    "error": {
        "code": "missing_version",
        "message": "The request is missing the required Certifier-Version header",
    }
}
UNAUTHORIZED = {
    "error": {
        "code": "unauthorized",
        "message": "A valid authentication token was not provided with the request",
    }
}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer laurel_not-a-real-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
    ],
)
async def test_a_request_without_a_valid_token_is_unauthorized(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get("/v1/groups", headers={**headers, "Certifier-Version": VERSION})
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_the_token_is_checked_before_the_version(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/groups")
    assert response.status_code == 401


async def test_the_version_header_is_required(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get("/v1/groups", headers={"Authorization": f"Bearer {tenant.token}"})
    assert response.status_code == 400
    assert response.json() == MISSING_VERSION


@pytest.mark.parametrize("version", ["2021-01-01", "latest", "x" * 200])
async def test_an_unknown_version_is_refused(api: CertifierClient, version: str) -> None:
    response = await api.request("GET", "/v1/groups", headers={"Certifier-Version": version})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_version"
    assert error["param"] == "Certifier-Version"
    assert "2022-10-26" in error["message"]


async def test_a_revoked_token_stops_working(
    api: CertifierClient, database: Database, tenant: Tenant
) -> None:
    assert (await api.request("GET", "/v1/groups")).status_code == 200
    async with database.sessions() as session, session.begin():
        from laurel.tokens.service import list_tokens

        (token,) = await list_tokens(session, tenant.organization_id)
        await revoke_token(session, token.id)
    assert (await api.request("GET", "/v1/groups")).status_code == 401


async def test_the_principal_cache_forgets_a_revoked_token_after_its_ttl(
    settings: Settings, database: Database, tenant: Tenant
) -> None:
    app = create_app(settings.model_copy(update={"auth_cache_seconds": 0.3}))
    async with make_client(app) as http:
        assert (await http.get("/v1/groups", headers=tenant.headers)).status_code == 200
        async with database.sessions() as session, session.begin():
            from laurel.tokens.service import list_tokens

            (token,) = await list_tokens(session, tenant.organization_id)
            await revoke_token(session, token.id)
        await asyncio.sleep(0.4)
        assert (await http.get("/v1/groups", headers=tenant.headers)).status_code == 401
    await app.state.database.dispose()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"{not json", "invalid_json"),
        (b"", "invalid_json"),
        (b'{"name": "\xff\xfe"}', "invalid_json"),
        (b"[1, 2]", "validation_error"),
        (b'"just a string"', "validation_error"),
    ],
)
async def test_malformed_bodies_are_clear_400s(
    api: CertifierClient, content: bytes, code: str
) -> None:
    response = await api.request(
        "POST", "/v1/groups", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


async def test_an_oversized_body_is_refused_before_it_is_read(api: CertifierClient) -> None:
    response = await api.request(
        "POST", "/v1/designs", content=b"{" + b" " * (2 * 1024 * 1024) + b"}"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_unknown_fields_are_ignored(api: CertifierClient) -> None:
    design = await api.create_design()
    group = await api.create_group(name="G", designIds=[design], colour="blue")
    assert "colour" not in group


async def test_unknown_paths_and_methods(api: CertifierClient) -> None:
    missing = await api.request("GET", "/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong_method = await api.request("PUT", "/v1/groups")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


async def test_request_ids_are_echoed_or_made(api: CertifierClient) -> None:
    made = await api.request("GET", "/v1/groups")
    assert len(made.headers["X-Request-Id"]) == 32
    echoed = await api.request("GET", "/v1/groups", headers={"X-Request-Id": "trace-123"})
    assert echoed.headers["X-Request-Id"] == "trace-123"
    unsafe = await api.request("GET", "/v1/groups", headers={"X-Request-Id": "a b\tc"})
    assert unsafe.headers["X-Request-Id"] != "a b\tc"


async def test_an_unexpected_error_is_a_500_without_internals(app: FastAPI) -> None:
    async def explode() -> None:
        raise RuntimeError("secret connection string postgres://user:pw@db")

    app.add_api_route("/explode", explode)
    async with make_client(app, raise_app_exceptions=False) as http:
        response = await http.get("/explode")
    assert response.status_code == 500
    body = response.json()
    assert body["error"]["code"] == "internal_server_error"
    assert "secret" not in response.text
    assert response.headers["X-Request-Id"]


async def test_rate_limit_headers_and_429(
    settings: Settings, database: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    app = create_app(settings.model_copy(update={"rate_limit": "3/minute"}))
    async with make_client(app) as http:
        responses = [await http.get("/v1/groups", headers=tenant.headers) for _ in range(4)]
        others = await http.get("/v1/groups", headers=other_tenant.headers)
    await app.state.database.dispose()
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[0].headers["RateLimit-Limit"] == "3"
    assert responses[0].headers["RateLimit-Remaining"] == "2"
    limited = responses[-1]
    assert limited.json() == {
        "error": {"code": "rate_limited", "message": "You have exceeded the rate limit"}
    }
    assert int(limited.headers["Retry-After"]) >= 1
    assert others.status_code == 200, "limits are per token"


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"


async def test_readiness_fails_when_the_database_is_unreachable(settings: Settings) -> None:
    url = "postgresql://nobody@127.0.0.1:1/none"
    app = create_app(
        settings.model_copy(update={"database_url": Settings(database_url=url).database_url})
    )
    async with make_client(app) as http:
        response = await http.get("/readyz")
    assert response.status_code == 503


async def test_openapi_documents_every_error(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    create = document["paths"]["/v1/groups"]["post"]
    assert {"400", "401", "402", "404", "429", "500"} <= set(create["responses"])
    assert (
        "designIds" in create["requestBody"]["content"]["application/json"]["schema"]["properties"]
    )
    assert (await client.get("/docs")).status_code == 200


async def test_a_nul_character_is_a_400_on_every_database(api: CertifierClient) -> None:
    response = await api.request(
        "POST",
        "/v1/designs",
        json={"name": "bad\u0000name", "type": "badge", "svg": "<svg/>"},
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]["message"]
    search = await api.request(
        "POST", "/v1/credentials/search", json={"filter": {"recipient.name": {"equals": "\u0000"}}}
    )
    assert search.status_code == 400


async def test_racing_for_a_unique_value_is_a_409_not_a_500(api: CertifierClient) -> None:
    async def define() -> int:
        response = await api.request(
            "POST", "/v1/attributes", json={"tag": "custom.race", "name": "Race"}
        )
        return response.status_code

    statuses = sorted(await asyncio.gather(define(), define(), define()))
    assert statuses[0] == 200
    assert set(statuses[1:]) == {409}


UNKNOWN_ID = "01hz2ej4yzdcfkq9fa78nhyj0x"
UNKNOWN_UUID = "01a2288b-33b1-767d-abee-532389bf36d7"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/v1/groups", "GET, POST"),
        ("POST", f"/v1/groups/{UNKNOWN_ID}", "GET, PATCH, DELETE"),
        ("OPTIONS", "/v1/designs", "GET, POST"),
        # Also a credential id to the router; the resource it names is the search.
        ("PUT", "/v1/credentials/search", "POST"),
        ("DELETE", "/v1/issuer", "GET, PATCH"),
        ("POST", "/healthz", "GET"),
    ],
)
async def test_a_wrong_method_names_the_allowed_ones(
    api: CertifierClient, method: str, path: str, allow: str
) -> None:
    response = await api.request(method, path)
    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/v1/me", "GET"),
        ("DELETE", f"/v1/organizations/{UNKNOWN_UUID}", "GET, PATCH"),
        ("PATCH", f"/v1/organizations/{UNKNOWN_UUID}/organization-members", "GET, POST"),
        (
            "POST",
            f"/v1/organizations/{UNKNOWN_UUID}/job-roles/{UNKNOWN_UUID}",
            "GET, PATCH, DELETE",
        ),
        ("GET", f"/v1/organizations/{UNKNOWN_UUID}/certifications/{UNKNOWN_UUID}/renew", "POST"),
    ],
)
async def test_a_wrong_method_names_the_allowed_ones_in_the_records_api_too(
    client: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "method_not_allowed"
