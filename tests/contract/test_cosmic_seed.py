"""Seed 004: COSMIC's `POST /v1/certifications`, replayed with real ids in place of the examples."""

import re
from datetime import date
from typing import Any

from laurel.kit.ids import uuid_of
from tests.contract.seeds import cosmic_certification_example
from tests.fixtures.records import Person

EXAMPLE = cosmic_certification_example()
UUID_SHAPE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIMESTAMP_SHAPE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _seed_request() -> dict[str, Any]:
    return dict(EXAMPLE.request)


def _seed_response() -> dict[str, Any]:
    return dict(EXAMPLE.response)


def _shape(value: Any) -> Any:
    """The JSON shape of a value: keys and the type of each leaf, recursively."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return type(value).__name__


async def test_create_certification_for_the_token_subject_as_the_seed_shows(
    member: Person, type_id: str
) -> None:
    request = _seed_request()
    request |= {"organization_member_id": member.member, "certification_type_id": type_id}
    request |= {"issued_on": "2023-12-25", "expires_on": "2099-12-25"}

    response = await member.request("POST", "/v1/certifications", json=request)

    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    created = response.json()
    expected = _seed_response()
    assert list(created) == ["data"]
    assert list(created["data"]) == list(expected["data"])
    data = created["data"]
    assert list(data["certification_type"]) == list(expected["data"]["certification_type"])
    for name in ("external_id", "external_source", "issuer_name", "serial_number", "source"):
        assert data[name] == request[name]
    assert data["organization_member_id"] == member.member
    assert data["organization_id"] == member.org
    assert data["user_id"] == uuid_of(member.user_id)
    assert data["certification_type_id"] == type_id == data["certification_type"]["id"]
    assert (data["lifecycle_status"], data["verification_status"]) == ("active", "unverified")
    assert data["validity_status"] == "valid"
    assert date.fromisoformat(data["issued_on"]) == date(2023, 12, 25)
    for name in ("id", "organization_id", "organization_member_id", "user_id"):
        assert UUID_SHAPE.match(data[name]), name
    assert TIMESTAMP_SHAPE.match(data["created_at"]) and TIMESTAMP_SHAPE.match(data["updated_at"])
    assert data["verification_method"] is None and data["last_verified_at"] is None

    listed = await member.ok("GET", "/v1/certifications")
    assert [item["id"] for item in listed] == [data["id"]]


async def test_the_seed_response_shape_is_ours_once_verified(
    manager: Person, member: Person, type_id: str
) -> None:
    created = await member.ok(
        "POST",
        "/v1/certifications",
        201,
        json={"certification_type_id": type_id, "issued_on": "2024-01-01"},
    )
    await manager.ok(
        "POST",
        f"/v1/organizations/{manager.org}/certifications/{created['id']}/verifications",
        201,
        json={"method": "issuer_registry", "result": "verified"},
    )
    record = await member.ok("GET", f"/v1/certifications/{created['id']}")
    seed = _seed_response()["data"]
    # The seed's example fills every field: now ours does too, with the same JSON types.
    record |= {k: "<string>" for k in ("external_id", "external_source", "issuer_name")}
    record |= {"serial_number": "<string>", "expires_on": "2023-12-25"}
    assert _shape(record) == _shape(seed)
    assert TIMESTAMP_SHAPE.match(record["last_verified_at"])
