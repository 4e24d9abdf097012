"""One contract test per Certifier example (tests/contract/data): every request, response and error.

The examples' ids are Certifier's; each test creates designs of the right types, maps the seed's
ids onto them, replays the example and compares bodies field by field, in the seed's order.
"""

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from laurel.app import create_app
from laurel.config import Settings
from laurel.models import Plan
from tests.conftest import VERSION, CertifierClient, TenantFactory, make_client
from tests.contract.seeds import SeedExample, certifier_seeds, load_seed

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SEEDS = certifier_seeds()


def test_the_seeds_are_there() -> None:
    assert [path.stem for path in SEEDS] == [
        "certifier-groups-create-legacy",
        "certifier-groups-create",
        "certifier-groups-update-legacy",
        "certifier-groups-update",
    ]


def _map_ids(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_map_ids(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _map_ids(item, ids) for key, item in value.items()}
    return value


async def _designs_for(api: CertifierClient, example: dict[str, Any]) -> dict[str, str]:
    """Create a design for each design id the example shows, of the type it is shown as."""
    return {
        example["certificateDesignId"]: await api.create_design("certificate"),
        example["badgeDesignId"]: await api.create_design("badge"),
    }


def assert_matches_example(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """Every field of the example, in the example's order, with the example's value.

    Laurel answers with `designIds` on every response, as the newer seeds do; an older example
    without it must still find each of its own fields, in order.
    """
    assert [key for key in actual if key in expected] == list(expected)
    for key, value in expected.items():
        if key in ("id", "createdAt", "updatedAt"):
            assert isinstance(actual[key], str)
            if key != "id":
                assert TIMESTAMP.match(actual[key]), actual[key]
        else:
            assert actual[key] == value, key


async def _replay(
    api: CertifierClient, seed: SeedExample, ids: dict[str, str]
) -> tuple[dict[str, Any], str]:
    """Send the seed's example request; returns the expected body and the path used."""
    expected = _map_ids(seed.response, ids)
    if seed.method == "POST":
        request = _map_ids(seed.request, ids)
        if not any(k in request for k in ("designIds", "certificateDesignId", "badgeDesignId")):
            # The legacy create's curl omits the designs its own text requires; the example response
            # shows them in the legacy fields, so that is the request this example answers.
            request |= {
                "certificateDesignId": expected["certificateDesignId"],
                "badgeDesignId": expected["badgeDesignId"],
            }
        request.setdefault("learningEventUrl", expected["learningEventUrl"])
        response = await api.request("POST", seed.path, json=request)
        assert response.status_code == 200, response.text
        return expected, f"/v1/groups/{response.json()['id']}"
    group = await api.create_group(
        name=expected["name"],
        learningEventUrl=expected["learningEventUrl"],
        designIds=expected.get("designIds")
        or [expected["certificateDesignId"], expected["badgeDesignId"]],
    )
    path = f"/v1/groups/{group['id']}"
    response = await api.request(seed.method, path, json=_map_ids(seed.request, ids))
    assert response.status_code == 200, response.text
    assert response.json() == {**group, "updatedAt": response.json()["updatedAt"]}
    return expected, path


@pytest.mark.parametrize("seed_path", SEEDS, ids=[p.stem for p in SEEDS])
async def test_example_request_and_response(seed_path: Path, api: CertifierClient) -> None:
    seed = load_seed(seed_path)
    ids = await _designs_for(api, seed.response)
    expected, path = await _replay(api, seed, ids)
    stored = await api.request("GET", path)
    assert_matches_example(stored.json(), expected)


async def test_the_legacy_create_as_written_is_refused_for_want_of_a_design(
    api: CertifierClient,
) -> None:
    seed = load_seed(next(path for path in SEEDS if path.stem.endswith("create-legacy")))
    assert seed.request == {"name": "Financial Markets"}
    response = await api.request("POST", seed.path, json=seed.request)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "designIds"


ErrorTrigger = Callable[
    [SeedExample, CertifierClient, httpx.AsyncClient], Awaitable[httpx.Response]
]


async def _target(seed: SeedExample, api: CertifierClient) -> str:
    if seed.method == "POST":
        return seed.path
    group = await api.create_group(name="Target", designIds=[await api.create_design()])
    return f"/v1/groups/{group['id']}"


async def _without_version(
    seed: SeedExample, api: CertifierClient, _: httpx.AsyncClient
) -> httpx.Response:
    path = await _target(seed, api)
    return await api.http.request(
        seed.method, path, json={}, headers={"Authorization": api.tenant.headers["Authorization"]}
    )


async def _without_token(
    seed: SeedExample, api: CertifierClient, _: httpx.AsyncClient
) -> httpx.Response:
    path = await _target(seed, api)
    return await api.http.request(
        seed.method, path, json={}, headers={"Certifier-Version": VERSION}
    )


async def _beyond_free_plan(
    seed: SeedExample, api: CertifierClient, _: httpx.AsyncClient
) -> httpx.Response:
    designs = [await api.create_design("certificate"), await api.create_design("certificate")]
    path = await _target(seed, api)
    return await api.request(seed.method, path, json={"name": "Two", "designIds": designs})


async def _unknown_resource(
    seed: SeedExample, api: CertifierClient, _: httpx.AsyncClient
) -> httpx.Response:
    if seed.method == "POST":
        return await api.request(
            "POST", seed.path, json={"name": "X", "designIds": ["01fpwtztwf7sacca5r0c483mnm"]}
        )
    return await api.request(seed.method, "/v1/groups/01g90279gp5sbmfek7wymcsvec", json={})


async def _over_the_limit(
    seed: SeedExample, api: CertifierClient, limited: httpx.AsyncClient
) -> httpx.Response:
    path = await _target(seed, api)
    await limited.request(seed.method, path, json={}, headers=api.tenant.headers)
    return await limited.request(seed.method, path, json={}, headers=api.tenant.headers)


async def _broken_database(
    seed: SeedExample, api: CertifierClient, broken: httpx.AsyncClient
) -> httpx.Response:
    return await broken.request(seed.method, seed.path, json={}, headers=api.tenant.headers)


TRIGGERS: dict[str, tuple[int, ErrorTrigger]] = {
    "missing_version": (400, _without_version),
    "unauthorized": (401, _without_token),
    "payment_required": (402, _beyond_free_plan),
    "not_found": (404, _unknown_resource),
    "rate_limited": (429, _over_the_limit),
    "internal_server_error": (500, _broken_database),
}


def _error_cases() -> list[Any]:
    return [
        pytest.param(path, error, id=f"{path.stem}-{error['error']['code']}")
        for path in SEEDS
        for error in load_seed(path).errors
    ]


@pytest.mark.parametrize(("seed_path", "example"), _error_cases())
async def test_example_errors(
    seed_path: Path,
    example: dict[str, Any],
    settings: Settings,
    make_tenant: TenantFactory,
    client: httpx.AsyncClient,
) -> None:
    seed = load_seed(seed_path)
    code = example["error"]["code"]
    status, trigger = TRIGGERS[code]
    plan = Plan.free if code == "payment_required" else Plan.premium
    api = CertifierClient(client, await make_tenant(plan))
    special: FastAPI | None = None
    if code == "rate_limited":
        special = create_app(settings.model_copy(update={"rate_limit": "1/minute"}))
    elif code == "internal_server_error":
        special = create_app(settings)
        await special.state.database.dispose()
        special.state.database.sessions.configure(bind=_ExplodingEngine())
    async with make_client(special or FastAPI(), raise_app_exceptions=False) as other:
        response = await trigger(seed, api, other)
    if special is not None:
        await special.state.database.dispose()
    assert response.status_code == status, response.text
    if code == "internal_server_error":
        # Laurel's own wording (certifier-v1.md), and nothing of the failure itself.
        assert response.json()["error"]["code"] == code
        assert "Exploding" not in response.text
    else:
        assert response.json() == example


class _ExplodingEngine:
    """Stands in for a database that has just gone away."""

    def __getattr__(self, name: str) -> Any:
        raise ConnectionError("Exploding database: connection refused")
