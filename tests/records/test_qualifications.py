"""Job roles, assignments, qualifications, computed results and the gap report."""

from datetime import date, timedelta
from typing import Any

from laurel.models import Role
from tests.fixtures.records import OrganizationFactory, Person, PersonFactory


def days(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


async def _type(admin: Person, slug: str) -> str:
    created = await admin.ok(
        "POST",
        f"/v1/organizations/{admin.org}/certification-types",
        201,
        json={"slug": slug, "title": slug.upper()},
    )
    return str(created["id"])


async def _record(manager: Person, member: Person, type_id: str, **dates: str) -> dict[str, Any]:
    body = {"organization_member_id": member.member, "certification_type_id": type_id} | dates
    created = await manager.ok(
        "POST", f"/v1/organizations/{manager.org}/certifications", 201, json=body
    )
    return dict(created)


async def test_assigning_a_job_role_is_an_upsert(admin: Person, member: Person) -> None:
    role = await admin.ok(
        "POST", f"/v1/organizations/{admin.org}/job-roles", 201, json={"name": "Nurse"}
    )
    path = f"/v1/organizations/{admin.org}/organization-members/{member.member}/job-roles"
    first = await admin.request("PUT", f"{path}/{role['id']}", json={"is_primary": True})
    assert first.status_code == 201
    assignment = first.json()["data"]
    assert assignment["organization_member_id"] == member.member
    assert assignment["job_role_id"] == role["id"] and assignment["is_primary"] is True
    again = await admin.request("PUT", f"{path}/{role['id']}", json={"is_primary": False})
    assert again.status_code == 200 and again.json()["data"]["is_primary"] is False
    assert again.json()["data"]["assigned_at"] == assignment["assigned_at"]
    assert [a["job_role_id"] for a in await member.ok("GET", path)] == [role["id"]]
    duplicate = await admin.request(
        "POST", f"/v1/organizations/{admin.org}/job-roles", json={"name": "Nurse"}
    )
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "name"
    assert (await admin.request("DELETE", f"{path}/{role['id']}")).status_code == 204
    assert await member.ok("GET", path) == []


async def test_results_and_the_gap_report(
    admin: Person, manager: Person, make_person: PersonFactory
) -> None:
    org = admin.org
    bls, acls, pals = [await _type(admin, slug) for slug in ("bls", "acls", "pals")]
    nurse = await admin.ok(
        "POST", f"/v1/organizations/{org}/job-roles", 201, json={"name": "Nurse"}
    )
    ready = await admin.ok(
        "POST",
        f"/v1/organizations/{org}/qualifications",
        201,
        json={
            "name": "Ward ready",
            "certification_type_ids": [bls, acls],
            "job_role_ids": [nurse["id"]],
        },
    )
    assert sorted(ready["certification_type_ids"]) == sorted([bls, acls])
    complete = await make_person(admin.organization_id, Role.member)
    lapsing = await make_person(admin.organization_id, Role.member)
    lacking = await make_person(admin.organization_id, Role.member)
    unassigned = await make_person(admin.organization_id, Role.member)
    for person in (complete, lapsing, lacking):
        await admin.ok(
            "PUT",
            f"/v1/organizations/{org}/organization-members/{person.member}/job-roles/{nurse['id']}",
            201,
        )
    await _record(manager, complete, bls, expires_on=days(400))
    await _record(manager, complete, acls)
    await _record(manager, lapsing, bls, expires_on=days(45))
    await _record(manager, lapsing, acls, expires_on=days(400))
    await _record(manager, lacking, bls, expires_on=days(400))
    expired = await _record(manager, lacking, acls, issued_on=days(-800), expires_on=days(-1))
    revoked = await _record(manager, lacking, pals)
    await manager.ok(
        "POST",
        f"/v1/organizations/{org}/certifications/{revoked['id']}/revoke",
        json={"reason": "test"},
    )
    await _record(manager, unassigned, pals)

    mine = await lacking.ok("GET", "/v1/qualification-results")
    assert len(mine) == 1
    assert mine[0]["status"] == "not_qualified"
    assert (mine[0]["met_requirement_count"], mine[0]["total_requirement_count"]) == (1, 2)
    assert mine[0]["missing_certification_type_ids"] == [expired["certification_type_id"]]
    assert (await complete.ok("GET", "/v1/qualification-results"))[0]["status"] == "qualified"
    assert await unassigned.ok("GET", "/v1/qualification-results") == []

    report = await manager.ok("GET", f"/v1/organizations/{org}/qualification-gaps")
    assert report["members_evaluated"] == 3
    [summary] = report["qualifications"]
    assert (summary["qualified"], summary["not_qualified"]) == (2, 1)
    expected_counts = (0, 1, 1)
    assert (
        summary["expiring_within_30_days"],
        summary["expiring_within_60_days"],
        summary["expiring_within_90_days"],
    ) == expected_counts
    assert report["gaps"] == [
        {
            "organization_member_id": lacking.member,
            "qualification_id": ready["id"],
            "missing_certification_type_ids": [acls],
        }
    ]
    [lapse] = report["expiring"]
    assert lapse["organization_member_id"] == lapsing.member
    assert (lapse["certification_type_id"], lapse["within_days"]) == (bls, 60)

    page = await manager.ok(
        "GET", f"/v1/organizations/{org}/qualification-results", params={"limit": 200}
    )
    assert {r["organization_member_id"] for r in page} == {
        complete.member,
        lapsing.member,
        lacking.member,
    }
    own = await lacking.ok("GET", f"/v1/organizations/{org}/qualification-results")
    assert [r["organization_member_id"] for r in own] == [lacking.member]
    forbidden = await lacking.request("GET", f"/v1/organizations/{org}/qualification-gaps")
    assert forbidden.status_code == 403


async def test_qualifications_refuse_types_and_roles_they_cannot_use(
    admin: Person, make_organization: OrganizationFactory, make_person: PersonFactory
) -> None:
    elsewhere = await make_person(await make_organization("Elsewhere"), Role.owner)
    foreign_type = await _type(elsewhere, "foreign")
    own_type = await _type(admin, "own")
    response = await admin.request(
        "POST",
        f"/v1/organizations/{admin.org}/qualifications",
        json={"name": "Q", "certification_type_ids": [own_type, foreign_type]},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "certification_type_ids[1]"
    response = await admin.request(
        "POST",
        f"/v1/organizations/{admin.org}/qualifications",
        json={"name": "Q", "certification_type_ids": []},
    )
    assert response.status_code == 400 and response.json()["field"] == "certification_type_ids"
    created = await admin.ok(
        "POST",
        f"/v1/organizations/{admin.org}/qualifications",
        201,
        json={"name": "Q", "certification_type_ids": [own_type]},
    )
    changed = await admin.ok(
        "PATCH",
        f"/v1/organizations/{admin.org}/qualifications/{created['id']}",
        json={"description": "Updated"},
    )
    assert changed["certification_type_ids"] == [own_type] and changed["description"] == "Updated"
    response = await admin.request(
        "DELETE", f"/v1/organizations/{admin.org}/qualifications/{created['id']}"
    )
    assert response.status_code == 204
