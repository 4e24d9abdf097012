"""Who may do what in the records API: tokens, scopes, roles, organizations."""

import httpx
import pytest

from laurel.db import Database
from laurel.models import Role
from tests.conftest import Tenant
from tests.fixtures.records import OrganizationFactory, Person, PersonFactory


async def test_no_token_or_an_organization_token_is_401_problem(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for headers in ({}, {"Authorization": f"Bearer {tenant.token}"}):
        response = await client.get("/v1/certifications", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["code"] == "unauthorized" and problem["status"] == 401
        assert problem["type"] == "/problems/unauthorized" and problem["title"] == "Unauthorized"


async def test_a_token_without_the_scope_is_403_even_for_an_owner(
    make_person: PersonFactory, organization_id: str, type_id: str
) -> None:
    reader = await make_person(organization_id, Role.owner, ["certification_records:read"])
    assert (await reader.request("GET", "/v1/certifications")).status_code == 200
    response = await reader.request(
        "POST", "/v1/certifications", json={"certification_type_id": type_id}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert "certification_records:write" in response.json()["detail"]


async def test_hyphenated_scope_aliases_are_the_same_scopes(
    make_person: PersonFactory, organization_id: str
) -> None:
    person = await make_person(
        organization_id, Role.admin, ["organization-members:read", "certifications:read"]
    )
    me = await person.ok("GET", "/v1/me")
    assert me["scopes"] == ["certification_records:read", "organization_members:read"]
    assert (
        await person.request("GET", f"/v1/organizations/{person.org}/organization-members")
    ).status_code == 200


async def test_me_lists_memberships_and_the_members_a_token_reaches(
    manager: Person, member: Person
) -> None:
    mine = await member.ok("GET", "/v1/me")
    assert mine["accessible_member_ids"] == [member.member]
    assert mine["organizations"] == [
        {"id": member.org, "name": "Northwind Health", "status": "active"}
    ]
    assert mine["organization_memberships"][0]["role"] == "member"
    managed = await manager.ok("GET", "/v1/me")
    assert set(managed["accessible_member_ids"]) == {member.member, manager.member}


async def test_members_see_their_own_records_managers_everyones(
    manager: Person, member: Person, make_person: PersonFactory, type_id: str
) -> None:
    colleague = await make_person(member.organization_id, Role.member)
    for person in (member, colleague):
        await manager.ok(
            "POST",
            f"/v1/organizations/{manager.org}/certifications",
            201,
            json={"organization_member_id": person.member, "certification_type_id": type_id},
        )
    path = f"/v1/organizations/{manager.org}/certifications"
    assert len(await manager.ok("GET", path)) == 2
    own = await member.ok("GET", path)
    assert [r["organization_member_id"] for r in own] == [member.member]
    members = await member.ok("GET", f"/v1/organizations/{member.org}/organization-members")
    assert [m["id"] for m in members] == [member.member]
    response = await member.request(
        "POST",
        path,
        json={"organization_member_id": colleague.member, "certification_type_id": type_id},
    )
    assert response.status_code == 403


async def test_another_organization_is_invisible(
    make_organization: OrganizationFactory,
    make_person: PersonFactory,
    manager: Person,
    type_id: str,
) -> None:
    elsewhere = await make_person(await make_organization("Elsewhere Ltd"), Role.owner)
    created = await manager.ok(
        "POST",
        f"/v1/organizations/{manager.org}/certifications",
        201,
        json={"organization_member_id": manager.member, "certification_type_id": type_id},
    )
    for path in (
        f"/v1/organizations/{manager.org}",
        f"/v1/organizations/{manager.org}/certifications",
        f"/v1/organizations/{manager.org}/certifications/{created['id']}",
        f"/v1/organizations/{manager.org}/organization-members",
        f"/v1/organizations/{manager.org}/certification-types/{type_id}",
    ):
        response = await elsewhere.request("GET", path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    assert await elsewhere.ok("GET", "/v1/certifications") == []
    orgs = await elsewhere.ok("GET", "/v1/organizations")
    assert [o["name"] for o in orgs] == ["Elsewhere Ltd"]
    # Someone else's member and type, named in a body, are refused by field.
    response = await elsewhere.request(
        "POST",
        f"/v1/organizations/{elsewhere.org}/certifications",
        json={"organization_member_id": manager.member, "certification_type_id": type_id},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "organization_member_id"
    response = await elsewhere.request(
        "POST", "/v1/certifications", json={"certification_type_id": type_id}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "certification_type_id"


@pytest.mark.parametrize("role", [Role.member, Role.manager])
async def test_only_admins_define_types_and_manage_members(
    make_person: PersonFactory, organization_id: str, role: Role
) -> None:
    person = await make_person(organization_id, role)
    response = await person.request(
        "POST",
        f"/v1/organizations/{person.org}/certification-types",
        json={"slug": "acls", "title": "ACLS"},
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    response = await person.request(
        "POST",
        f"/v1/organizations/{person.org}/organization-members",
        json={"email": "new@example.org"},
    )
    assert response.status_code == 403


async def test_admins_add_members_by_email_but_only_owners_make_owners(admin: Person) -> None:
    path = f"/v1/organizations/{admin.org}/organization-members"
    added = await admin.ok(
        "POST",
        path,
        201,
        json={"email": "Nurse@Example.org", "display_name": "Nina", "role": "manager"},
    )
    assert added["user"]["email"] == "nurse@example.org" and added["role"] == "manager"
    again = await admin.request("POST", path, json={"email": "nurse@example.org"})
    assert again.status_code == 409
    owner = await admin.request("POST", path, json={"email": "boss@example.org", "role": "owner"})
    assert owner.status_code == 403
    changed = await admin.ok("PATCH", f"{path}/{added['id']}", json={"role": "member"})
    assert changed["role"] == "member"
    assert (await admin.request("DELETE", f"{path}/{added['id']}")).status_code == 204
    removed = await admin.ok("GET", f"{path}/{added['id']}")
    assert removed["status"] == "suspended"


async def test_a_revoked_personal_token_stops_working(member: Person, database: Database) -> None:
    from laurel.auth.repository import CallerRepository
    from laurel.kit.crypto import hash_token
    from laurel.users.repository import UserTokenRepository

    assert (await member.request("GET", "/v1/me")).status_code == 200
    async with database.sessions() as session, session.begin():
        token = await CallerRepository(session).usable_user_token(hash_token(member.token))
        assert token is not None
        await UserTokenRepository(session).revoke(token.id)
    assert (await member.request("GET", "/v1/me")).status_code == 401
