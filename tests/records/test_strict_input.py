"""The records API takes dates, booleans and numbers only in their JSON form: an integer is not
a date, "yes" is not true. Each refusal is a problem naming the field, and writes nothing."""

from typing import Any

import pytest

from tests.fixtures.records import Person

NOT_DATES = [1699920000, "1699920000", "2024-01-01T00:00:00", "2024-1-5", True, 20240101.0]


@pytest.mark.parametrize("field", ["issued_on", "expires_on"])
@pytest.mark.parametrize("value", NOT_DATES)
async def test_a_date_must_be_written_yyyy_mm_dd(
    member: Person, type_id: str, field: str, value: Any
) -> None:
    body = {"certification_type_id": type_id, field: value}
    response = await member.request("POST", "/v1/certifications", json=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "validation_error"
    assert response.json()["field"] == field
    listed = await member.ok("GET", "/v1/certifications")
    assert listed == []


async def test_dates_in_changes_and_filters_are_strict_too(manager: Person, type_id: str) -> None:
    path = f"/v1/organizations/{manager.org}/certifications"
    created = await manager.ok(
        "POST",
        path,
        201,
        json={
            "organization_member_id": manager.member,
            "certification_type_id": type_id,
            "issued_on": "2024-01-01",
        },
    )
    one = f"{path}/{created['id']}"
    changed = await manager.request("PATCH", one, json={"issued_on": 1699920000})
    assert changed.status_code == 400, changed.text
    assert changed.json()["field"] == "issued_on"
    assert (await manager.ok("GET", one))["issued_on"] == "2024-01-01"
    for value in ("1699920000", "2024-01-01T00:00:00"):
        listed = await manager.request("GET", path, params={"expires_before": value})
        assert listed.status_code == 400, listed.text
        assert listed.json()["field"] == "expires_before"
    ok = await manager.request("GET", path, params={"expires_before": "2030-01-01"})
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize("value", ["true", "yes", 1, 0, "on", "false"])
async def test_a_boolean_must_be_true_or_false(admin: Person, member: Person, value: Any) -> None:
    role = await admin.ok(
        "POST", f"/v1/organizations/{admin.org}/job-roles", 201, json={"name": "Medic"}
    )
    members = f"/v1/organizations/{admin.org}/organization-members"
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("PUT", f"{members}/{member.member}/job-roles/{role['id']}", {"is_primary": value}),
        ("PATCH", f"{members}/{member.member}", {"is_primary": value}),
        ("POST", members, {"email": "new@example.org", "is_primary": value}),
    ]
    for method, path, body in requests:
        response = await admin.request(method, path, json=body)
        assert response.status_code == 400, (method, path, response.text)
        assert response.json()["field"] == "is_primary"
    assignment = await admin.ok(
        "PUT", f"{members}/{member.member}/job-roles/{role['id']}", 201, json={"is_primary": True}
    )
    assert assignment["is_primary"] is True


async def test_long_strings_are_a_problem_naming_the_field(admin: Person) -> None:
    path = f"/v1/organizations/{admin.org}/certification-types"
    for body, field in (
        ({"slug": "x" * 101, "title": "T"}, "slug"),
        ({"slug": "bls", "title": "T" * 256}, "title"),
        # The schema's maxLength counts what is sent, surrounding whitespace included.
        ({"slug": "bls", "title": "\u000b" + "T" * 255}, "title"),
        ({"slug": "bls", "title": "T", "description": "d" * 5001}, "description"),
    ):
        response = await admin.request("POST", path, json=body)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["field"] == field
