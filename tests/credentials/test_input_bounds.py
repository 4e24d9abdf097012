"""Every string the issuer API takes is bounded, and every date, boolean and number is taken in
its JSON form only; past that it is a 400 naming the field, on SQLite as on PostgreSQL."""

from typing import Any

import pytest

from laurel.credentials.search import MAX_VALUE_LENGTH
from tests.conftest import CertifierClient
from tests.credentials.conftest import create_credential

LONG = "x" * 60_000


@pytest.fixture
async def credential_id(api: CertifierClient, group_id: str) -> str:
    """There must be rows: SQLite checks a LIKE pattern's length only when it compares one."""
    return str((await create_credential(api, group_id))["id"])


@pytest.mark.parametrize(
    "condition",
    [
        {"recipient.name": {"contains": LONG}},
        {"recipient": {"email": {"startsWith": LONG}}},
        {"recipient.name": {"equals": LONG}},
        {"recipient.email": {"in": ["ada@example.org", LONG]}},
        {"groupId": {"equals": LONG}},
        {"OR": [{"issueDate": {"gt": LONG}}]},
    ],
)
async def test_long_search_values_are_refused(
    api: CertifierClient, credential_id: str, condition: dict[str, Any]
) -> None:
    response = await api.request("POST", "/v1/credentials/search", json={"filter": condition})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["param"] == "filter"
    assert f"at most {MAX_VALUE_LENGTH} characters" in error["message"]


async def test_a_search_value_at_the_bound_is_searched(
    api: CertifierClient, credential_id: str
) -> None:
    for operator in ("contains", "equals", "startsWith", "endsWith"):
        body = {"filter": {"recipient.name": {operator: "x" * MAX_VALUE_LENGTH}}}
        response = await api.request("POST", "/v1/credentials/search", json=body)
        assert response.status_code == 200, response.text
        assert response.json()["data"] == []
    found = await api.request(
        "POST", "/v1/credentials/search", json={"filter": {"recipient.name": {"contains": "ada"}}}
    )
    assert [c["id"] for c in found.json()["data"]] == [credential_id]


@pytest.mark.parametrize("limit", ["5", 5.0, True, None])
async def test_the_search_limit_is_a_json_integer(
    api: CertifierClient, credential_id: str, limit: object
) -> None:
    response = await api.request("POST", "/v1/credentials/search", json={"limit": limit})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "limit"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"customAttributes": {"custom.mentor": "m" * 1001}}, "customAttributes.custom.mentor"),
        ({"recipient": {"name": "n" * 256}}, "recipient.name"),
        ({"recipient": {"name": "Ada", "email": f"{'a' * 320}@example.org"}}, "recipient.email"),
        ({"issueDate": 1699920000}, "issueDate"),
        ({"expiryDate": "1699920000"}, "expiryDate"),
    ],
)
async def test_credential_fields_are_bounded_and_strict(
    api: CertifierClient, group_id: str, body: dict[str, Any], param: str
) -> None:
    request = {"groupId": group_id, "recipient": {"name": "Ada"}} | body
    response = await api.request("POST", "/v1/credentials", json=request)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    listed = await api.request("GET", "/v1/credentials")
    assert listed.json()["data"] == []


@pytest.mark.parametrize("triggered_at", [1699920000, "1699920000", "2024-01-01"])
async def test_an_interaction_time_is_a_zoned_timestamp(
    api: CertifierClient, credential_id: str, triggered_at: object
) -> None:
    response = await api.request(
        "POST",
        "/v1/credential-interactions",
        json={
            "credentialId": credential_id,
            "eventType": "credential_viewed",
            "triggeredAt": triggered_at,
        },
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "triggeredAt"


async def test_long_ids_in_paths_and_queries_are_not_found_or_refused(
    api: CertifierClient, credential_id: str
) -> None:
    for path in ("/v1/credentials/" + "0" * 10_000, "/v1/webhooks/" + "0" * 10_000):
        assert (await api.request("GET", path)).status_code == 404
    page = await api.request("GET", "/v1/credentials", params={"cursor": "c" * 201})
    assert page.status_code == 400
    assert page.json()["error"]["param"] == "cursor"
    interactions = await api.request(
        "GET", "/v1/credential-interactions", params={"credentialId": LONG}
    )
    assert interactions.status_code == 400
    assert interactions.json()["error"]["param"] == "credentialId"
