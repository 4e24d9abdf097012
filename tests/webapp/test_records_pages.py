"""Records in the web app: the certifications table, a member's page and its actions, the gap
report and its CSV; roles, tenancy and CSRF on each."""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert, select

from laurel.credentials.service import today
from laurel.db import Database
from laurel.kit.timestamps import utc_now
from laurel.models import (
    AuditEvent,
    CertificationRecord,
    CertificationType,
    JobRole,
    JobRoleAssignment,
    LifecycleStatus,
    Membership,
    Qualification,
    Role,
    User,
    VerificationStatus,
    qualification_job_roles,
    qualification_requirements,
)
from tests.conftest import Tenant, TenantFactory
from tests.webapp.conftest import Browser, BrowserFactory


@dataclass(frozen=True)
class Setup:
    """First aid and CPR are both required of nurses (the qualification "Ward ready")."""

    first_aid: str
    cpr: str
    nurse: str
    qualification: str


async def membership_of(database: Database, browser: Browser) -> str:
    async with database.sessions() as session:
        statement = select(Membership.id).where(Membership.user_id == browser.user_id)
        return (await session.scalars(statement)).one()


async def requirements(database: Database, organization_id: str) -> Setup:
    async with database.sessions() as session, session.begin():
        first_aid = CertificationType(
            organization_id=organization_id, slug="first-aid", title="First aid"
        )
        cpr = CertificationType(organization_id=organization_id, slug="cpr", title="CPR")
        nurse = JobRole(organization_id=organization_id, name="Nurse")
        qualification = Qualification(organization_id=organization_id, name="Ward ready")
        session.add_all([first_aid, cpr, nurse, qualification])
        await session.flush()
        await session.execute(
            insert(qualification_requirements),
            [
                {"qualification_id": qualification.id, "certification_type_id": kind.id}
                for kind in (first_aid, cpr)
            ],
        )
        await session.execute(
            insert(qualification_job_roles),
            [{"qualification_id": qualification.id, "job_role_id": nurse.id}],
        )
        return Setup(first_aid.id, cpr.id, nurse.id, qualification.id)


async def assign(database: Database, member_id: str, role_id: str) -> None:
    async with database.sessions() as session, session.begin():
        session.add(
            JobRoleAssignment(
                organization_member_id=member_id, job_role_id=role_id, assigned_at=utc_now()
            )
        )


async def add_record(
    database: Database,
    member_id: str,
    type_id: str,
    expires_in_days: int | None,
    lifecycle: LifecycleStatus = LifecycleStatus.active,
) -> str:
    async with database.sessions() as session, session.begin():
        member = await session.get(Membership, member_id)
        assert member is not None
        record = CertificationRecord(
            organization_id=member.organization_id,
            organization_member_id=member.id,
            user_id=member.user_id,
            certification_type_id=type_id,
            issued_on=date(2026, 1, 1),
            expires_on=None if expires_in_days is None else today() + timedelta(expires_in_days),
            lifecycle_status=lifecycle,
        )
        session.add(record)
        await session.flush()
        return record.id


async def actions_logged(database: Database, organization_id: str) -> list[str]:
    async with database.sessions() as session:
        statement = select(AuditEvent.action).where(AuditEvent.organization_id == organization_id)
        return list((await session.scalars(statement.order_by(AuditEvent.id))).all())


async def test_the_table_shows_each_state_in_colour_and_words_and_filters(
    signed_in_manager: Browser, make_staff: BrowserFactory, database: Database, tenant: Tenant
) -> None:
    setup = await requirements(database, tenant.organization_id)
    worker = await membership_of(database, await make_staff(tenant.organization_id, Role.member))
    await add_record(database, worker, setup.first_aid, 200)
    await add_record(database, worker, setup.cpr, 10)
    await add_record(database, worker, setup.first_aid, -5)
    await add_record(database, worker, setup.cpr, 100, LifecycleStatus.suspended)

    page = await signed_in_manager.get("/app/records")
    assert page.status_code == 200
    for state in ("Valid", "Expiring", "Expired", "Suspended"):
        assert f'class="status status-{state.lower()}">{state}</span>' in page.text
    assert f'href="/app/records/members/{worker}"' in page.text

    expired = await signed_in_manager.get("/app/records", params={"state": "expired"})
    assert expired.text.count('class="status status-') == 1
    assert "status-expired" in expired.text
    by_type = await signed_in_manager.get("/app/records", params={"type": setup.cpr})
    assert by_type.text.count('class="status status-') == 2
    assert "First aid</td>" not in by_type.text

    unknown = await signed_in_manager.get("/app/records", params={"state": "lost"})
    assert unknown.status_code == 400
    assert "state:" in unknown.text


async def test_a_manager_adds_renews_verifies_suspends_and_revokes_through_the_services(
    signed_in_manager: Browser, make_staff: BrowserFactory, database: Database, tenant: Tenant
) -> None:
    setup = await requirements(database, tenant.organization_id)
    worker = await membership_of(database, await make_staff(tenant.organization_id, Role.member))
    page = await signed_in_manager.get(f"/app/records/members/{worker}")
    assert page.status_code == 200

    expires = (today() + timedelta(days=365)).isoformat()
    added = await signed_in_manager.post(
        f"/app/records/members/{worker}/certifications",
        {"certification_type_id": setup.first_aid, "issued_on": "", "expires_on": expires},
    )
    assert added.status_code == 303, added.text
    async with database.sessions() as session:
        record = (
            await session.scalars(
                select(CertificationRecord).where(
                    CertificationRecord.organization_member_id == worker
                )
            )
        ).one()
    base = f"/app/records/certifications/{record.id}"

    verified = await signed_in_manager.post(
        f"{base}/verify", {"method": "issuer register", "result": "verified"}
    )
    assert verified.status_code == 303
    assert (await signed_in_manager.post(f"{base}/suspend")).status_code == 303
    twice = await signed_in_manager.post(f"{base}/suspend")
    assert twice.status_code == 409
    assert (await signed_in_manager.post(f"{base}/reinstate")).status_code == 303
    renewed = await signed_in_manager.post(f"{base}/renew", {"expires_on": expires})
    assert renewed.status_code == 303
    async with database.sessions() as session:
        old = await session.get(CertificationRecord, record.id)
        assert old is not None
        assert old.lifecycle_status == LifecycleStatus.superseded
        assert old.verification_status == VerificationStatus.verified
        assert old.superseded_by_id is not None
    newest = f"/app/records/certifications/{old.superseded_by_id}"
    revoked = await signed_in_manager.post(f"{newest}/revoke", {"reason": "forged"})
    assert revoked.status_code == 303
    page = await signed_in_manager.get(f"/app/records/members/{worker}")
    assert 'class="status status-revoked">Revoked</span>' in page.text
    assert 'class="status status-superseded">Superseded</span>' in page.text

    assert await actions_logged(database, tenant.organization_id) == [
        "signed_in",
        "certification.added",
        "certification.verified",
        "certification.suspended",
        "certification.reinstated",
        "certification.renewed",
        "certification.revoked",
    ]


async def test_bad_fields_are_400s_naming_the_field(
    signed_in_manager: Browser, make_staff: BrowserFactory, database: Database, tenant: Tenant
) -> None:
    setup = await requirements(database, tenant.organization_id)
    worker = await membership_of(database, await make_staff(tenant.organization_id, Role.member))
    record_id = await add_record(database, worker, setup.cpr, 100)
    await signed_in_manager.get(f"/app/records/members/{worker}")
    bad_date = await signed_in_manager.post(
        f"/app/records/members/{worker}/certifications",
        {"certification_type_id": setup.cpr, "expires_on": "soon"},
    )
    assert bad_date.status_code == 400
    assert "expires_on:" in bad_date.text
    no_type = await signed_in_manager.post(f"/app/records/members/{worker}/certifications", {})
    assert no_type.status_code == 400
    assert "certification_type_id" in no_type.text
    no_reason = await signed_in_manager.post(f"/app/records/certifications/{record_id}/revoke")
    assert no_reason.status_code == 400
    assert "reason:" in no_reason.text
    bad_result = await signed_in_manager.post(
        f"/app/records/certifications/{record_id}/verify", {"method": "phone", "result": "maybe"}
    )
    assert bad_result.status_code == 400
    assert "result:" in bad_result.text


async def test_a_member_sees_only_their_own_records_and_may_not_change_them(
    make_staff: BrowserFactory, database: Database, tenant: Tenant
) -> None:
    setup = await requirements(database, tenant.organization_id)
    me = await make_staff(tenant.organization_id, Role.member, email="me@example.org")
    other = await make_staff(tenant.organization_id, Role.member, email="other@example.org")
    mine, theirs = await membership_of(database, me), await membership_of(database, other)
    await assign(database, mine, setup.nurse)
    await assign(database, theirs, setup.nurse)
    my_record = await add_record(database, mine, setup.first_aid, 300)
    their_record = await add_record(database, theirs, setup.cpr, 300)
    await me.sign_in()

    table = await me.get("/app/records")
    assert f"/app/records/members/{mine}" in table.text
    assert f"/app/records/members/{theirs}" not in table.text
    assert (await me.get(f"/app/records/members/{mine}")).status_code == 200
    assert (await me.get(f"/app/records/members/{theirs}")).status_code == 404
    assert (await me.post(f"/app/records/certifications/{my_record}/suspend")).status_code == 403
    assert (
        await me.post(f"/app/records/certifications/{their_record}/revoke", {"reason": "x"})
    ).status_code == 403
    gaps = await me.get("/app/records/gaps")
    assert gaps.status_code == 200
    assert "me@example.org" in gaps.text
    assert "other@example.org" not in gaps.text
    assert (await me.get("/app/records/gaps.csv")).status_code == 403


async def test_another_organizations_ids_are_not_found(
    signed_in_manager: Browser,
    make_staff: BrowserFactory,
    make_tenant: TenantFactory,
    database: Database,
) -> None:
    stranger = await make_tenant(name="Stranger Org")
    setup = await requirements(database, stranger.organization_id)
    outsider = await membership_of(
        database, await make_staff(stranger.organization_id, Role.member)
    )
    record_id = await add_record(database, outsider, setup.cpr, 100)
    await signed_in_manager.get("/app/records")

    assert (await signed_in_manager.get(f"/app/records/members/{outsider}")).status_code == 404
    added = await signed_in_manager.post(
        f"/app/records/members/{outsider}/certifications",
        {"certification_type_id": setup.cpr},
    )
    assert added.status_code == 404
    for action in ("suspend", "reinstate"):
        changed = await signed_in_manager.post(f"/app/records/certifications/{record_id}/{action}")
        assert changed.status_code == 404
    revoked = await signed_in_manager.post(
        f"/app/records/certifications/{record_id}/revoke", {"reason": "not ours"}
    )
    assert revoked.status_code == 404
    role_filter = await signed_in_manager.get("/app/records/gaps", params={"role": setup.nurse})
    assert role_filter.status_code == 404
    async with database.sessions() as session:
        record = await session.get(CertificationRecord, record_id)
        assert record is not None
        assert record.lifecycle_status == LifecycleStatus.active


async def test_every_form_needs_its_csrf_token(
    signed_in_manager: Browser, make_staff: BrowserFactory, database: Database, tenant: Tenant
) -> None:
    setup = await requirements(database, tenant.organization_id)
    worker = await membership_of(database, await make_staff(tenant.organization_id, Role.member))
    record_id = await add_record(database, worker, setup.cpr, 100)
    posts = {
        f"/app/records/members/{worker}/certifications": {"certification_type_id": setup.cpr},
        f"/app/records/certifications/{record_id}/suspend": {},
        f"/app/records/certifications/{record_id}/revoke": {"reason": "x"},
        f"/app/records/certifications/{record_id}/renew": {},
        f"/app/records/certifications/{record_id}/verify": {"method": "m", "result": "verified"},
    }
    for path, data in posts.items():
        refused = await signed_in_manager.http.post(path, data=data)
        assert refused.status_code == 403, path
    async with database.sessions() as session:
        record = await session.get(CertificationRecord, record_id)
        assert record is not None
        assert record.lifecycle_status == LifecycleStatus.active


async def test_the_gap_report_is_a_matrix_with_filters_and_a_neutral_csv(
    signed_in_manager: Browser, make_staff: BrowserFactory, database: Database, tenant: Tenant
) -> None:
    setup = await requirements(database, tenant.organization_id)
    ready, lapsing, lacking, clerk = [
        await membership_of(
            database, await make_staff(tenant.organization_id, Role.member, email=email)
        )
        for email in (
            "ready@example.org",
            "lapsing@example.org",
            "lacking@example.org",
            "clerk@example.org",
        )
    ]
    for member in (ready, lapsing, lacking):
        await assign(database, member, setup.nurse)
    await add_record(database, ready, setup.first_aid, None)
    await add_record(database, ready, setup.cpr, 300)
    await add_record(database, lapsing, setup.first_aid, 300)
    await add_record(database, lapsing, setup.cpr, 12)
    await add_record(database, lacking, setup.first_aid, 300)
    async with database.sessions() as session, session.begin():
        user = (
            await session.scalars(select(User).where(User.email == "lacking@example.org"))
        ).one()
        user.display_name = "=HYPERLINK(1)"

    def row_of(html: str, member_id: str) -> str:
        start = html.index(f'href="/app/records/members/{member_id}"')
        return html[start : html.index("</tr>", start)]

    page = await signed_in_manager.get("/app/records/gaps")
    assert page.status_code == 200
    assert '<th scope="col">Ward ready</th>' in page.text
    assert "status-met" in row_of(page.text, ready)
    assert ">Expiring</span>" in row_of(page.text, lapsing)
    assert ">Missing</span>" in row_of(page.text, lacking)
    assert ">Not required</span>" in row_of(page.text, clerk)

    nurses = await signed_in_manager.get("/app/records/gaps", params={"role": setup.nurse})
    assert f"/app/records/members/{clerk}" not in nurses.text
    assert f"/app/records/members/{ready}" in nurses.text
    searched = await signed_in_manager.get("/app/records/gaps", params={"q": "LAPSING"})
    assert f"/app/records/members/{lapsing}" in searched.text
    assert f"/app/records/members/{ready}" not in searched.text
    wildcard = await signed_in_manager.get("/app/records/gaps", params={"q": "%"})
    assert "No members match" in wildcard.text

    exported = await signed_in_manager.get("/app/records/gaps.csv", params={"role": setup.nurse})
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == ["member", "email", "Ward ready"]
    assert sorted(rows[1:]) == sorted(
        [
            ["Sam Staff", "ready@example.org", "Met"],
            ["Sam Staff", "lapsing@example.org", "Expiring"],
            ["'=HYPERLINK(1)", "lacking@example.org", "Missing"],
        ]
    )
    assert "gap_report.exported" in await actions_logged(database, tenant.organization_id)


async def test_the_gap_report_pages_by_cursor(
    signed_in_manager: Browser, make_staff: BrowserFactory, database: Database, tenant: Tenant
) -> None:
    await requirements(database, tenant.organization_id)
    async with database.sessions() as session, session.begin():
        users = [User(email=f"bulk{n:03}@example.org", display_name=f"Bulk {n}") for n in range(60)]
        session.add_all(users)
        await session.flush()
        session.add_all(
            Membership(organization_id=tenant.organization_id, user_id=user.id, role=Role.member)
            for user in users
        )
    first = await signed_in_manager.get("/app/records/gaps")
    assert first.text.count('<th scope="row">') == 50
    next_link = first.text.split('<a href="/app/records/gaps?', 1)[1].split('"', 1)[0]
    second = await signed_in_manager.get(f"/app/records/gaps?{next_link.replace('&amp;', '&')}")
    # 60 bulk members, the manager: 61 in all.
    assert second.text.count('<th scope="row">') == 11
    assert "Next page" not in second.text


async def test_admins_create_and_edit_types_roles_and_qualifications(
    signed_in_owner: Browser, make_staff: BrowserFactory, database: Database, tenant: Tenant
) -> None:
    await signed_in_owner.get("/app/records/setup")
    made = await signed_in_owner.post(
        "/app/records/types", {"title": "Food hygiene", "slug": "food-hygiene"}
    )
    assert made.status_code == 303
    again = {"title": "Again", "slug": "food-hygiene"}
    clash = await signed_in_owner.post("/app/records/types", again)
    assert clash.status_code == 409
    bad_slug = await signed_in_owner.post("/app/records/types", {"title": "X", "slug": "No Caps"})
    assert bad_slug.status_code == 400
    assert "slug:" in bad_slug.text
    cook = await signed_in_owner.post("/app/records/job-roles", {"name": "Cook"})
    assert cook.status_code == 303
    async with database.sessions() as session:
        kind = (await session.scalars(select(CertificationType))).one()
        role = (await session.scalars(select(JobRole))).one()
    no_types = await signed_in_owner.post("/app/records/qualifications", {"name": "Kitchen ready"})
    assert no_types.status_code == 400
    assert "certification_type_ids" in no_types.text
    created = await signed_in_owner.http.post(
        "/app/records/qualifications",
        data={
            "csrf_token": signed_in_owner.csrf,
            "name": "Kitchen ready",
            "certification_type_ids": [kind.id],
            "job_role_ids": [role.id],
        },
    )
    assert created.status_code == 303
    renamed = await signed_in_owner.post(f"/app/records/job-roles/{role.id}", {"name": "Chef"})
    assert renamed.status_code == 303
    archived = await signed_in_owner.post(
        f"/app/records/types/{kind.id}", {"title": "Food hygiene", "status": "archived"}
    )
    assert archived.status_code == 303

    page = await signed_in_owner.get("/app/records/setup")
    assert "<td>Kitchen ready" in page.text
    assert '<td data-label="Requires">Food hygiene</td>' in page.text
    assert '<td data-label="Of job roles">Chef</td>' in page.text
    assert '<td data-label="State">Archived</td>' in page.text
    actions = await actions_logged(database, tenant.organization_id)
    assert actions[-5:] == [
        "certification_type.created",
        "job_role.created",
        "qualification.created",
        "job_role.changed",
        "certification_type.changed",
    ]


async def test_managers_and_members_read_the_setup_but_may_not_change_it(
    signed_in_manager: Browser, make_staff: BrowserFactory, database: Database, tenant: Tenant
) -> None:
    setup = await requirements(database, tenant.organization_id)
    page = await signed_in_manager.get("/app/records/setup")
    assert page.status_code == 200
    assert "Ward ready" in page.text
    assert 'action="/app/records/types"' not in page.text
    refused = {
        "/app/records/types": {"title": "T", "slug": "t"},
        f"/app/records/types/{setup.cpr}": {"title": "T"},
        "/app/records/job-roles": {"name": "R"},
        f"/app/records/job-roles/{setup.nurse}": {"name": "R"},
        f"/app/records/qualifications/{setup.qualification}": {
            "name": "Q",
            "certification_type_ids": setup.cpr,
        },
    }
    for path, data in refused.items():
        assert (await signed_in_manager.post(path, data)).status_code == 403, path
    member = await make_staff(tenant.organization_id, Role.member)
    await member.sign_in()
    assert (await member.get("/app/records/setup")).status_code == 200
    assert (await member.post("/app/records/job-roles", {"name": "R"})).status_code == 403


async def test_another_organizations_setup_ids_are_not_found_and_csrf_is_required(
    signed_in_owner: Browser, make_tenant: TenantFactory, database: Database
) -> None:
    stranger = await make_tenant(name="Stranger Org")
    setup = await requirements(database, stranger.organization_id)
    await signed_in_owner.get("/app/records/setup")
    assert (
        await signed_in_owner.post(f"/app/records/types/{setup.cpr}", {"title": "Mine"})
    ).status_code == 404
    assert (
        await signed_in_owner.post(f"/app/records/job-roles/{setup.nurse}", {"name": "Mine"})
    ).status_code == 404
    assert (
        await signed_in_owner.post(
            f"/app/records/qualifications/{setup.qualification}",
            {"name": "Mine", "certification_type_ids": setup.cpr},
        )
    ).status_code == 404
    borrowed = await signed_in_owner.http.post(
        "/app/records/qualifications",
        data={
            "csrf_token": signed_in_owner.csrf,
            "name": "Q",
            "certification_type_ids": [setup.cpr],
        },
    )
    assert borrowed.status_code == 400
    assert "certification_type_ids[0]" in borrowed.text
    no_token = await signed_in_owner.http.post("/app/records/job-roles", data={"name": "R"})
    assert no_token.status_code == 403


async def test_a_manager_gives_and_takes_job_roles_and_the_gap_report_follows(
    signed_in_manager: Browser,
    make_staff: BrowserFactory,
    make_tenant: TenantFactory,
    database: Database,
    tenant: Tenant,
) -> None:
    setup = await requirements(database, tenant.organization_id)
    worker_browser = await make_staff(tenant.organization_id, Role.member)
    worker = await membership_of(database, worker_browser)
    await signed_in_manager.get(f"/app/records/members/{worker}")
    given = await signed_in_manager.post(
        f"/app/records/members/{worker}/job-roles", {"job_role_id": setup.nurse}
    )
    assert given.status_code == 303
    after = await signed_in_manager.get(given.headers["location"])
    assert "The job role was given." in after.text
    assert "Give this job role" not in after.text
    gaps = await signed_in_manager.get("/app/records/gaps", params={"role": setup.nurse})
    assert f"/app/records/members/{worker}" in gaps.text
    assert ">Missing</span>" in gaps.text

    stranger = await make_tenant(name="Stranger Org")
    foreign = await requirements(database, stranger.organization_id)
    borrowed = await signed_in_manager.post(
        f"/app/records/members/{worker}/job-roles", {"job_role_id": foreign.nurse}
    )
    assert borrowed.status_code == 404
    no_token = await signed_in_manager.http.post(
        f"/app/records/members/{worker}/job-roles/{setup.nurse}/remove"
    )
    assert no_token.status_code == 403
    await worker_browser.sign_in()
    await worker_browser.get(f"/app/records/members/{worker}")
    own = await worker_browser.post(f"/app/records/members/{worker}/job-roles/{setup.nurse}/remove")
    assert own.status_code == 403

    taken = await signed_in_manager.post(
        f"/app/records/members/{worker}/job-roles/{setup.nurse}/remove"
    )
    assert taken.status_code == 303
    gaps = await signed_in_manager.get("/app/records/gaps", params={"role": setup.nurse})
    assert f"/app/records/members/{worker}" not in gaps.text
    actions = await actions_logged(database, tenant.organization_id)
    assert actions.count("job_role.assigned") == 1
    assert actions.count("job_role.unassigned") == 1
