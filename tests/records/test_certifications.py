"""Certification records: bad input, computed validity, lifecycle actions, verifications."""

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from laurel.db import Database
from laurel.models import CertificationRecord
from tests.fixtures.records import Person

TODAY = date.today()


def days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


async def _count_records(database: Database) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(CertificationRecord)) or 0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"issued_on": "2024-13-45"}, "issued_on"),
        ({"expires_on": "next tuesday"}, "expires_on"),
        ({"issued_on": "2024-05-01", "expires_on": "2024-04-30"}, "expires_on"),
        ({"source": "carrier-pigeon"}, "source"),
        ({"certification_type_id": "not-a-uuid"}, "certification_type_id"),
        ({"organization_member_id": "12345"}, "organization_member_id"),
        ({"certification_type_id": None}, "certification_type_id"),
        ({"serial_number": ""}, "serial_number"),
    ],
)
async def test_bad_input_is_a_problem_naming_the_field_and_writes_nothing(
    member: Person, type_id: str, database: Database, change: dict[str, Any], field: str
) -> None:
    body = {"certification_type_id": type_id, "issued_on": "2024-01-01"} | change
    response = await member.request("POST", "/v1/certifications", json=body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "validation_error"
    assert response.json()["field"] == field
    assert await _count_records(database) == 0


async def test_malformed_json_and_an_archived_type_are_refused(
    admin: Person, member: Person, type_id: str, database: Database
) -> None:
    response = await member.request(
        "POST",
        "/v1/certifications",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_json"
    await admin.ok(
        "PATCH",
        f"/v1/organizations/{admin.org}/certification-types/{type_id}",
        json={"status": "archived"},
    )
    response = await member.request(
        "POST", "/v1/certifications", json={"certification_type_id": type_id}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "certification_type_id"
    assert "archived" in response.json()["detail"]
    assert await _count_records(database) == 0


async def test_validity_status_is_computed_from_the_dates_and_filterable(
    manager: Person, type_id: str
) -> None:
    path = f"/v1/organizations/{manager.org}/certifications"
    dates = {
        "valid": {"issued_on": days(-100), "expires_on": days(365)},
        "expiring": {"issued_on": days(-100), "expires_on": days(10)},
        "expired": {"issued_on": days(-400), "expires_on": days(-1)},
        "not_yet_valid": {"issued_on": days(5), "expires_on": days(400)},
    }
    ids = {}
    for status, span in dates.items():
        created = await manager.ok(
            "POST",
            path,
            201,
            json={"organization_member_id": manager.member, "certification_type_id": type_id}
            | span,
        )
        assert created["validity_status"] == status
        ids[status] = created["id"]
    never = await manager.ok(
        "POST",
        path,
        201,
        json={"organization_member_id": manager.member, "certification_type_id": type_id},
    )
    assert never["validity_status"] == "valid"
    for status, record_id in ids.items():
        found = await manager.ok("GET", path, params={"validity_status": status})
        expected = {record_id, never["id"]} if status == "valid" else {record_id}
        assert {r["id"] for r in found} == expected, status
    soon = await manager.ok("GET", path, params={"expiring_within_days": 30})
    assert {r["id"] for r in soon} == {ids["expiring"]}
    before = await manager.ok("GET", path, params={"expires_before": days(0)})
    assert {r["id"] for r in before} == {ids["expired"]}
    response = await manager.request("GET", path, params={"validity_status": "fine"})
    assert response.status_code == 400 and response.json()["field"] == "validity_status"


async def test_lifecycle_changes_only_through_actions(manager: Person, type_id: str) -> None:
    path = f"/v1/organizations/{manager.org}/certifications"
    record = await manager.ok(
        "POST",
        path,
        201,
        json={"organization_member_id": manager.member, "certification_type_id": type_id},
    )
    one = f"{path}/{record['id']}"
    ignored = await manager.ok(
        "PATCH", one, json={"lifecycle_status": "revoked", "issuer_name": "AHA"}
    )
    assert ignored["lifecycle_status"] == "active" and ignored["issuer_name"] == "AHA"
    assert (await manager.ok("POST", f"{one}/suspend", json={}))["lifecycle_status"] == "suspended"
    assert (await manager.ok("POST", f"{one}/reinstate"))["lifecycle_status"] == "active"
    response = await manager.request("POST", f"{one}/reinstate")
    assert response.status_code == 409 and response.json()["code"] == "invalid_lifecycle_transition"
    response = await manager.request("POST", f"{one}/revoke", json={})
    assert response.status_code == 400 and response.json()["field"] == "reason"
    revoked = await manager.ok("POST", f"{one}/revoke", json={"reason": "Forged card"})
    assert revoked["lifecycle_status"] == "revoked"
    for action in ("suspend", "reinstate", "renew"):
        response = await manager.request("POST", f"{one}/{action}", json={})
        assert response.status_code == 409, action


async def test_renewal_supersedes_the_old_record(manager: Person, type_id: str) -> None:
    path = f"/v1/organizations/{manager.org}/certifications"
    old = await manager.ok(
        "POST",
        path,
        201,
        json={
            "organization_member_id": manager.member,
            "certification_type_id": type_id,
            "issued_on": days(-700),
            "expires_on": days(5),
        },
    )
    renewed = await manager.ok(
        "POST",
        f"{path}/{old['id']}/renew",
        201,
        json={"issued_on": days(0), "expires_on": days(730), "serial_number": "R-2"},
    )
    assert renewed["id"] != old["id"] and renewed["lifecycle_status"] == "active"
    assert renewed["organization_member_id"] == old["organization_member_id"]
    assert renewed["certification_type_id"] == type_id and renewed["serial_number"] == "R-2"
    assert (await manager.ok("GET", f"{path}/{old['id']}"))["lifecycle_status"] == "superseded"
    active = await manager.ok("GET", path, params={"lifecycle_status": "active"})
    assert [r["id"] for r in active] == [renewed["id"]]


async def test_verifications_are_an_append_only_history(
    manager: Person, member: Person, type_id: str
) -> None:
    record = await member.ok(
        "POST", "/v1/certifications", 201, json={"certification_type_id": type_id}
    )
    one = f"/v1/organizations/{manager.org}/certifications/{record['id']}"
    await manager.ok(
        "POST", f"{one}/verifications", 201, json={"method": "registry", "result": "pending"}
    )
    second = await manager.ok(
        "POST",
        f"{one}/verifications",
        201,
        json={"method": "phone", "result": "verified", "notes": "ok"},
    )
    assert second["certification_id"] == record["id"]
    current = await manager.ok("GET", one)
    assert current["verification_status"] == "verified"
    assert current["verification_method"] == "phone" and current["last_verified_at"]
    history = await member.ok("GET", f"{one}/verifications")
    assert [(v["method"], v["result"]) for v in history] == [
        ("phone", "verified"),
        ("registry", "pending"),
    ]
    response = await member.request(
        "POST", f"{one}/verifications", json={"method": "x", "result": "verified"}
    )
    assert response.status_code == 403
    response = await manager.request(
        "POST", f"{one}/verifications", json={"method": "x", "result": "maybe"}
    )
    assert response.status_code == 400 and response.json()["field"] == "result"


async def test_external_ids_are_unique_per_organization(manager: Person, type_id: str) -> None:
    path = f"/v1/organizations/{manager.org}/certifications"
    body = {
        "organization_member_id": manager.member,
        "certification_type_id": type_id,
        "external_source": "lms",
        "external_id": "A-1",
    }
    first = await manager.ok("POST", path, 201, json=body)
    response = await manager.request("POST", path, json=body)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_external_id"
    assert response.json()["existing_id"] == first["id"]
    other = await manager.ok("POST", path, 201, json=body | {"external_id": "A-2"})
    response = await manager.request("PATCH", f"{path}/{other['id']}", json={"external_id": "A-1"})
    assert response.status_code == 409 and response.json()["existing_id"] == first["id"]


async def test_lists_page_with_next_cursor(manager: Person, type_id: str) -> None:
    path = f"/v1/organizations/{manager.org}/certifications"
    created = [
        (
            await manager.ok(
                "POST",
                path,
                201,
                json={"organization_member_id": manager.member, "certification_type_id": type_id},
            )
        )["id"]
        for _ in range(5)
    ]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await manager.request("GET", path, params=params)
        body = response.json()
        assert len(body["data"]) <= 2
        seen += [r["id"] for r in body["data"]]
        assert body["page"]["has_more"] is (body["page"]["next_cursor"] is not None)
        cursor = body["page"]["next_cursor"]
        if cursor is None:
            break
    assert seen == created[::-1]
    response = await manager.request("GET", path, params={"limit": 201})
    assert response.status_code == 400 and response.json()["field"] == "limit"


async def test_certification_types_include_the_standard_ones(
    admin: Person, database: Database, type_id: str
) -> None:
    from laurel.certifications.schemas import CertificationTypeCreate
    from laurel.certifications.service.certification_types import add_type

    async with database.sessions() as session, session.begin():
        await add_type(session, None, CertificationTypeCreate(slug="cpr", title="CPR"))
    types = await admin.ok("GET", f"/v1/organizations/{admin.org}/certification-types")
    assert {(t["slug"], t["scope"]) for t in types} == {
        ("bls", "organization"),
        ("cpr", "standard"),
    }
    standard = next(t for t in types if t["scope"] == "standard")
    assert standard["organization_id"] is None
    response = await admin.request(
        "PATCH",
        f"/v1/organizations/{admin.org}/certification-types/{standard['id']}",
        json={"title": "X"},
    )
    assert response.status_code == 403
    response = await admin.request(
        "POST",
        f"/v1/organizations/{admin.org}/certification-types",
        json={"slug": "bls", "title": "Again"},
    )
    assert response.status_code == 409 and response.json()["field"] == "slug"
    response = await admin.request(
        "POST",
        f"/v1/organizations/{admin.org}/certification-types",
        json={"slug": "x", "title": "X", "scope": "standard"},
    )
    assert response.status_code == 403 and response.json()["field"] == "scope"


async def test_a_null_where_a_value_is_required_is_a_400(admin: Person, type_id: str) -> None:
    path = f"/v1/organizations/{admin.org}/certification-types/{type_id}"
    for field in ("title", "status"):
        response = await admin.request("PATCH", path, json={field: None})
        assert response.status_code == 400 and response.json()["field"] == field
    cleared = await admin.ok("PATCH", path, json={"description": None})
    assert cleared["description"] is None and cleared["title"] == "Basic Life Support"


async def test_every_id_is_a_valid_rfc_9562_uuid_that_strict_clients_accept(
    member: Person, type_id: str
) -> None:
    created = await member.ok(
        "POST",
        "/v1/certifications",
        201,
        json={"certification_type_id": type_id, "issued_on": "2024-01-01"},
    )
    ids = [created["id"], created["certification_type_id"], created["organization_member_id"]]
    for value in ids:
        parsed = uuid.UUID(value)
        assert parsed.version == 7 and parsed.variant == uuid.RFC_4122, value
