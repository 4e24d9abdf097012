"""Roles inside an organization: every write of the records API, tried by every role.

Each case is a request that succeeds for the lowest role allowed to make it; every role below
that gets `403 forbidden` naming the role it needs, with nothing changed. The table must name
every write route of the API (`test_the_table_names_every_write_route`), so a new route, such
as one that would mint tokens or register apps, cannot land without its place in it.
"""

from dataclasses import dataclass, field
from typing import Any

import pytest

from laurel.app import create_app
from laurel.config import Environment, Settings
from laurel.kit.errors import ErrorFormat
from laurel.models import Role
from tests.fixtures.records import Person, PersonFactory

ORG = "/v1/organizations/{org}"
RECORD = ORG + "/certifications/{record}"
ASSIGNMENT = ORG + "/organization-members/{colleague}/job-roles/{job_role}"
RANKS = [Role.member, Role.manager, Role.admin, Role.owner]


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    minimum: Role
    body: dict[str, Any] | None = None
    # Requests the owner makes first, so that the case's own request can succeed.
    prepare: tuple[tuple[str, str, dict[str, Any] | None], ...] = field(default=())

    @property
    def route(self) -> tuple[str, str]:
        """The OpenAPI operation the case calls."""
        path = self.path
        for name, template in (
            ("{org}", "{organization_id}"),
            ("{colleague}", "{member_id}"),
            ("{type}", "{type_id}"),
            ("{record}", "{certification_id}"),
            ("{job_role}", "{role_id}"),
            ("{qualification}", "{qualification_id}"),
        ):
            path = path.replace(name, template)
        return self.method.lower(), path


CASES = [
    Case("PATCH", ORG, Role.admin, {"name": "Renamed"}),
    Case("POST", ORG + "/organization-members", Role.admin, {"email": "new@example.org"}),
    Case("PATCH", ORG + "/organization-members/{colleague}", Role.admin, {"role": "manager"}),
    Case("DELETE", ORG + "/organization-members/{colleague}", Role.admin),
    Case("POST", ORG + "/certification-types", Role.admin, {"slug": "acls", "title": "ACLS"}),
    Case("PATCH", ORG + "/certification-types/{type}", Role.admin, {"title": "BLS 2"}),
    Case("POST", ORG + "/job-roles", Role.admin, {"name": "Paramedic"}),
    Case("PATCH", ORG + "/job-roles/{job_role}", Role.admin, {"name": "Senior nurse"}),
    Case("DELETE", ORG + "/job-roles/{job_role}", Role.admin),
    Case(
        "POST",
        ORG + "/qualifications",
        Role.admin,
        {"name": "Resus", "certification_type_ids": ["{type}"]},
    ),
    Case("PATCH", ORG + "/qualifications/{qualification}", Role.admin, {"name": "Ward ready"}),
    Case("DELETE", ORG + "/qualifications/{qualification}", Role.admin),
    Case("PUT", ASSIGNMENT, Role.manager, {"is_primary": True}),
    Case("DELETE", ASSIGNMENT, Role.manager, prepare=(("PUT", ASSIGNMENT, {}),)),
    Case("PATCH", RECORD, Role.manager, {"serial_number": "S-2"}),
    Case("POST", RECORD + "/renew", Role.manager, {"issued_on": "2026-01-05"}),
    Case("POST", RECORD + "/suspend", Role.manager),
    Case(
        "POST", RECORD + "/reinstate", Role.manager, prepare=(("POST", RECORD + "/suspend", None),)
    ),
    Case("POST", RECORD + "/revoke", Role.manager, {"reason": "Forged card"}),
    Case(
        "POST", RECORD + "/verifications", Role.manager, {"method": "phone", "result": "verified"}
    ),
    Case("GET", ORG + "/qualification-gaps", Role.manager),
    # A member records their own certifications; others' need a manager (tested below).
    Case("POST", ORG + "/certifications", Role.member, {"organization_member_id": "{me}"}),
    Case("POST", "/v1/certifications", Role.member, {}),
]
BELOW_AND_AT_MINIMUM = [
    pytest.param(case, role, id=f"{case.method} {case.path} as {role.value}")
    for case in CASES
    for role in RANKS[: RANKS.index(case.minimum) + 1]
]


@dataclass
class Scene:
    """An organization with something of each kind in it, made by its owner."""

    owner: Person
    ids: dict[str, str]

    def fill(self, value: Any, caller: Person) -> Any:
        if isinstance(value, str):
            return value.format(**self.ids, me=caller.member)
        if isinstance(value, dict):
            return {key: self.fill(item, caller) for key, item in value.items()}
        if isinstance(value, list):
            return [self.fill(item, caller) for item in value]
        return value


@pytest.fixture
async def scene(make_person: PersonFactory, organization_id: str) -> Scene:
    owner = await make_person(organization_id, Role.owner)
    colleague = await make_person(organization_id, Role.member, primary=True)
    org = f"/v1/organizations/{owner.org}"
    type_id = (
        await owner.ok(
            "POST", f"{org}/certification-types", 201, json={"slug": "bls", "title": "BLS"}
        )
    )["id"]
    record = await owner.ok(
        "POST",
        f"{org}/certifications",
        201,
        json={"organization_member_id": colleague.member, "certification_type_id": type_id},
    )
    job_role = await owner.ok("POST", f"{org}/job-roles", 201, json={"name": "Nurse"})
    qualification = await owner.ok(
        "POST",
        f"{org}/qualifications",
        201,
        json={"name": "Ward", "certification_type_ids": [type_id]},
    )
    ids = {
        "org": owner.org,
        "colleague": colleague.member,
        "type": type_id,
        "record": record["id"],
        "job_role": job_role["id"],
        "qualification": qualification["id"],
    }
    return Scene(owner, ids)


def _with_type(case: Case, body: dict[str, Any] | None) -> dict[str, Any] | None:
    if case.path.endswith("/certifications") and body is not None:
        return {**body, "certification_type_id": "{type}"}
    return body


@pytest.mark.parametrize(("case", "role"), BELOW_AND_AT_MINIMUM)
async def test_each_write_needs_its_role(
    scene: Scene, make_person: PersonFactory, case: Case, role: Role
) -> None:
    caller = await make_person(scene.owner.organization_id, role, primary=True)
    for method, path, body in case.prepare:
        response = await scene.owner.request(
            method, scene.fill(path, caller), json=scene.fill(body, caller)
        )
        assert response.status_code in (200, 201), response.text
    path = scene.fill(case.path, caller)
    body = scene.fill(_with_type(case, case.body), caller)
    response = await caller.request(case.method, path, json=body)
    if role == case.minimum:
        assert response.status_code in (200, 201, 204), response.text
        return
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "forbidden"
    assert case.minimum.value in problem["detail"] or "managers" in problem["detail"]


def test_the_table_names_every_write_route() -> None:
    app = create_app(Settings(env=Environment.testing, database_url="sqlite:////tmp/unused.db"))
    document = app.openapi()
    writes = {
        (method, path)
        for path, operations in document["paths"].items()
        if app.state.error_formats.for_path(path) is ErrorFormat.problem_details
        for method in operations
        if method != "get"
    }
    tabled = {case.route for case in CASES}
    assert writes <= tabled, f"not in the role table: {sorted(writes - tabled)}"


@pytest.mark.parametrize("role", [Role.member, Role.manager])
@pytest.mark.parametrize("wanted", [Role.manager, Role.admin, Role.owner])
async def test_nobody_raises_their_own_role(
    make_person: PersonFactory, organization_id: str, role: Role, wanted: Role
) -> None:
    person = await make_person(organization_id, role)
    path = f"/v1/organizations/{person.org}/organization-members/{person.member}"
    response = await person.request("PATCH", path, json={"role": wanted.value})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert "admin role" in response.json()["detail"]
    assert (await person.ok("GET", path))["role"] == role.value


@pytest.mark.parametrize("role", [Role.member, Role.manager])
async def test_a_member_or_manager_changes_nobody_elses_membership(
    make_person: PersonFactory, organization_id: str, role: Role
) -> None:
    person = await make_person(organization_id, role)
    colleague = await make_person(organization_id, Role.member)
    path = f"/v1/organizations/{person.org}/organization-members/{colleague.member}"
    for body in ({"role": "manager"}, {"status": "suspended"}, {"is_primary": False}):
        response = await person.request("PATCH", path, json=body)
        assert response.status_code == 403, body
        assert response.json()["code"] == "forbidden"
    assert (await person.request("DELETE", path)).status_code == 403
    assert (await colleague.ok("GET", path))["status"] == "active"


async def test_a_member_records_no_certification_for_a_colleague(
    make_person: PersonFactory, organization_id: str, type_id: str
) -> None:
    member = await make_person(organization_id, Role.member)
    colleague = await make_person(organization_id, Role.member)
    body = {"organization_member_id": colleague.member, "certification_type_id": type_id}
    for path in ("/v1/certifications", f"/v1/organizations/{member.org}/certifications"):
        response = await member.request("POST", path, json=body)
        assert response.status_code == 403, path
        assert response.json()["code"] == "forbidden"
        assert "managers" in response.json()["detail"]


@pytest.mark.parametrize(
    "change", [{"role": "owner"}, {"role": "member"}, {"status": "suspended"}, None]
)
async def test_an_admin_neither_makes_nor_unmakes_owners(
    admin: Person, make_person: PersonFactory, change: dict[str, str] | None
) -> None:
    owner = await make_person(admin.organization_id, Role.owner)
    colleague = await make_person(admin.organization_id, Role.member)
    members = f"/v1/organizations/{admin.org}/organization-members"
    # Making an owner: of another member or of themself; any other change: of an owner.
    targets = [colleague.member, admin.member] if change == {"role": "owner"} else [owner.member]
    for target in targets:
        if change is None:
            response = await admin.request("DELETE", f"{members}/{target}")
        else:
            response = await admin.request("PATCH", f"{members}/{target}", json=change)
        assert response.status_code == 403, target
        assert response.json()["code"] == "forbidden"
        assert "Only an owner" in response.json()["detail"]
    assert (await owner.ok("GET", f"{members}/{owner.member}"))["role"] == "owner"


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("PATCH", {"role": "admin"}),
        ("PATCH", {"status": "suspended"}),
        ("PATCH", {"role": "member", "status": "suspended"}),
        ("DELETE", None),
    ],
)
async def test_the_last_owner_stays_an_owner(
    make_person: PersonFactory, organization_id: str, method: str, body: dict[str, str] | None
) -> None:
    owner = await make_person(organization_id, Role.owner)
    path = f"/v1/organizations/{owner.org}/organization-members/{owner.member}"
    response = await owner.request(method, path, json=body)
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "at least one active owner" in response.json()["detail"]
    kept = await owner.ok("GET", path)
    assert (kept["role"], kept["status"]) == ("owner", "active")
    # With a second owner, either may step down.
    second = await make_person(organization_id, Role.owner)
    assert (await owner.request(method, path, json=body)).status_code in (200, 204)
    other = f"/v1/organizations/{owner.org}/organization-members/{second.member}"
    response = await second.request("PATCH", other, json={"role": "admin"})
    assert response.status_code == 409


async def test_an_owner_can_be_made_and_demoted_by_an_owner(
    make_person: PersonFactory, organization_id: str
) -> None:
    owner = await make_person(organization_id, Role.owner)
    colleague = await make_person(organization_id, Role.admin)
    path = f"/v1/organizations/{owner.org}/organization-members/{colleague.member}"
    assert (await owner.ok("PATCH", path, json={"role": "owner"}))["role"] == "owner"
    assert (await owner.ok("PATCH", path, json={"role": "member"}))["role"] == "member"
