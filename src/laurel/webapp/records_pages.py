"""Records in the web app: members' certifications with their validity at a glance, one member's
page with the record actions (add, renew, suspend, reinstate, revoke, verify), and the gap
report. Every read and action is the records API's own service, called with the same `Caller`
the API builds for a user, so the role rules are the services'."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.users import Caller
from laurel.certifications.schemas import (
    CertificationCreate,
    CertificationFilters,
    CertificationRenewal,
    RevokeRequest,
    VerificationCreate,
)
from laurel.certifications.service import certification_types, lifecycle, records
from laurel.certifications.validity import RecordValidity, Validity
from laurel.db import DbSession
from laurel.kit.errors import NotFound, ValidationFailed
from laurel.kit.ids import uuid_of
from laurel.kit.pagination import Cursor, PageParams
from laurel.kit.timestamps import utc_now
from laurel.members import service as members
from laurel.members.repository import MemberRepository
from laurel.models import CertificationType, Role
from laurel.qualifications.service import job_roles, results
from laurel.webapp import service
from laurel.webapp.records_forms import (
    CELL_TEXT,
    STATES,
    RecordTableFilters,
    gap_csv,
    known_id,
    state_of,
)
from laurel.webapp.rendering import render
from laurel.webapp.routing import (
    RecordsCaller,
    SignedIn,
    WebAppRoute,
    form_fields,
    form_of,
    parsed,
)
from laurel.webapp.service import Staff

router = APIRouter(prefix="/app/records", route_class=WebAppRoute)

PAGE_SIZE = 25
GAP_PAGE_SIZE = 50
# The export walks the report page by page; 10,000 members is the size the issue asks for.
GAP_EXPORT_PAGE, GAP_EXPORT_LIMIT = 500, 10_000
Filter = Annotated[str, Query(max_length=200)]
# Record actions that take no fields, and what the audit log calls them.
_PLAIN_ACTIONS = {"suspend": "certification.suspended", "reinstate": "certification.reinstated"}
DONE_MESSAGES = {
    "added": "The certification was recorded.",
    "renewed": "The certification was renewed; the old record is superseded.",
    "verified": "The verification was recorded.",
    "suspended": "The certification is suspended.",
    "reinstated": "The certification is active again.",
    "revoked": "The certification is revoked.",
    "assigned": "The job role was given.",
    "unassigned": "The job role was taken away.",
}


def _page(cursor: str, limit: int) -> PageParams:
    return PageParams(limit, Cursor.decode(cursor) if cursor else None)


async def _types(session: AsyncSession, caller: Caller, staff: Staff) -> list[CertificationType]:
    listed = await certification_types.list_types(
        session, caller, staff.organization_id, PageParams(200, None)
    )
    return listed.rows


def _context(staff: Staff, **values: Any) -> dict[str, Any]:
    return {"staff": staff, "active": "records", "Role": Role, "state_of": state_of, **values}


@router.get("", name="webapp.records")
async def record_table(
    session: DbSession,
    staff: SignedIn,
    caller: RecordsCaller,
    validity: RecordValidity,
    member: Filter = "",
    certification_type: Annotated[str, Query(alias="type", max_length=200)] = "",
    state: Filter = "",
    cursor: Filter = "",
) -> Response:
    """Members' certifications, newest first, with their validity; a member sees their own."""
    filters = RecordTableFilters.parse(member, certification_type, state)
    page = await records.list_certifications(
        session,
        caller,
        filters.service_filters(),
        _page(cursor, PAGE_SIZE),
        organization_id=staff.organization_id,
        validity=validity,
    )
    member_ids = sorted({str(row["organization_member_id"]) for row in page.rows})
    names = await MemberRepository(session).names_by_id(staff.organization_id, member_ids)
    context = _context(
        staff,
        rows=page.rows,
        names=names,
        types=await _types(session, caller, staff),
        states=STATES,
        filters=filters,
        next_query=filters.query(cursor=page.next) if page.next else None,
        first_page=not cursor,
    )
    return render("records.html", context)


async def _member_page(
    session: AsyncSession,
    staff: Staff,
    caller: Caller,
    validity: Validity,
    member_id: str,
    done: str = "",
) -> Response:
    member = await members.get_member(session, caller, staff.organization_id, member_id)
    listed = await records.list_certifications(
        session,
        caller,
        CertificationFilters.model_validate({"organization_member_id": uuid_of(member_id)}),
        PageParams(200, None),
        organization_id=staff.organization_id,
        validity=validity,
    )
    held = await job_roles.list_assignments(
        session, caller, staff.organization_id, member_id, PageParams(200, None)
    )
    roles = await _job_roles(session, caller, staff, "")
    held_ids = [assignment.job_role_id for assignment in held.rows]
    context = _context(
        staff,
        member=member,
        member_id=member_id,
        rows=listed.rows,
        roles=roles,
        held=held_ids,
        unheld=[(id_, name) for id_, name in roles.items() if id_ not in held_ids],
        types=await _types(session, caller, staff),
        done=done,
        done_messages=DONE_MESSAGES,
        today=utc_now().date().isoformat(),
    )
    return render("record_member.html", context)


@router.get("/members/{member_id}", name="webapp.record_member")
async def member_page(
    session: DbSession,
    staff: SignedIn,
    caller: RecordsCaller,
    validity: RecordValidity,
    member_id: str,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """One member's certifications, and (for managers) the forms that change them."""
    known_id(member_id, "member_id")
    return await _member_page(session, staff, caller, validity, member_id, done)


@router.post("/members/{member_id}/certifications", name="webapp.record_add")
async def add_certification(
    request: Request,
    session: DbSession,
    staff: SignedIn,
    caller: RecordsCaller,
    validity: RecordValidity,
    member_id: str,
) -> Response:
    """Record a certification for this member."""
    known_id(member_id, "member_id")
    # Another organization's member (or, for a member, someone else) is not found, as on GET.
    await members.get_member(session, caller, staff.organization_id, member_id)
    form = await form_fields(request)
    type_id = known_id(form.get("certification_type_id", ""), "certification_type_id")
    body = parsed(
        CertificationCreate,
        {key: value for key, value in form.items() if key != "certification_type_id"},
        organization_member_id=uuid_of(member_id),
        certification_type_id=uuid_of(type_id) if type_id else None,
    )
    created = await records.create_certification(
        session,
        caller,
        body,
        organization_id=staff.organization_id,
        validity=validity,
    )
    target = f"{created['id']} ({created['certification_type'].title}) for member {member_id}"
    service.record(session, staff, "certification.added", target, at=utc_now())
    return RedirectResponse(f"/app/records/members/{member_id}?done=added", status_code=303)


@router.post("/members/{member_id}/job-roles", name="webapp.record_role_assign")
async def assign_role(
    request: Request, session: DbSession, staff: SignedIn, caller: RecordsCaller, member_id: str
) -> Response:
    """Give the member a job role: the qualifications of that role then apply to them."""
    known_id(member_id, "member_id")
    role_id = known_id((await form_fields(request)).get("job_role_id", ""), "job_role_id")
    if role_id is None:
        raise ValidationFailed("job_role_id: choose a job role", param="job_role_id")
    await job_roles.assign_job_role(
        session, caller, staff.organization_id, member_id, role_id, is_primary=False
    )
    target = f"job role {role_id} to member {member_id}"
    service.record(session, staff, "job_role.assigned", target, at=utc_now())
    return RedirectResponse(f"/app/records/members/{member_id}?done=assigned", status_code=303)


@router.post("/members/{member_id}/job-roles/{role_id}/remove", name="webapp.record_role_remove")
async def unassign_role(
    session: DbSession, staff: SignedIn, caller: RecordsCaller, member_id: str, role_id: str
) -> Response:
    """Take a job role from the member."""
    known_id(member_id, "member_id")
    known_id(role_id, "role_id")
    await job_roles.unassign_job_role(session, caller, staff.organization_id, member_id, role_id)
    target = f"job role {role_id} from member {member_id}"
    service.record(session, staff, "job_role.unassigned", target, at=utc_now())
    return RedirectResponse(f"/app/records/members/{member_id}?done=unassigned", status_code=303)


async def _after(
    session: AsyncSession, staff: Staff, record: dict[str, Any], action: str, detail: str = ""
) -> Response:
    target = f"{record['id']} ({record['certification_type'].title})"
    service.record(session, staff, action, f"{target}{detail}", at=utc_now())
    member_id = record["organization_member_id"]
    done = action.rsplit(".", 1)[-1]
    return RedirectResponse(f"/app/records/members/{member_id}?done={done}", status_code=303)


@router.post("/certifications/{record_id}/renew", name="webapp.record_renew")
async def renew_certification(
    session: DbSession,
    staff: SignedIn,
    caller: RecordsCaller,
    validity: RecordValidity,
    record_id: str,
    body: Annotated[CertificationRenewal, form_of(CertificationRenewal)],
) -> Response:
    """Renew: a new record with the new dates supersedes this one."""
    known_id(record_id, "record_id")
    renewed = await lifecycle.renew_certification(
        session, caller, staff.organization_id, record_id, body, validity=validity
    )
    return await _after(session, staff, renewed, "certification.renewed", f" renews {record_id}")


@router.post("/certifications/{record_id}/revoke", name="webapp.record_revoke")
async def revoke_certification(
    session: DbSession,
    staff: SignedIn,
    caller: RecordsCaller,
    validity: RecordValidity,
    record_id: str,
    body: Annotated[RevokeRequest, form_of(RevokeRequest)],
) -> Response:
    """Revoke with a reason; a revoked record counts for nothing again."""
    known_id(record_id, "record_id")
    change = lifecycle.LifecycleChange("revoke", body.reason)
    revoked = await lifecycle.change_lifecycle(
        session, caller, staff.organization_id, record_id, change, validity=validity
    )
    return await _after(session, staff, revoked, "certification.revoked", f": {body.reason}")


@router.post("/certifications/{record_id}/verify", name="webapp.record_verify")
async def verify_certification(
    session: DbSession,
    staff: SignedIn,
    caller: RecordsCaller,
    validity: RecordValidity,
    record_id: str,
    body: Annotated[VerificationCreate, form_of(VerificationCreate)],
) -> Response:
    """Record a verification (how it was checked, and the outcome)."""
    known_id(record_id, "record_id")
    await lifecycle.add_verification(session, caller, staff.organization_id, record_id, body)
    record = await records.get_certification(
        session, caller, record_id, staff.organization_id, validity=validity
    )
    detail = f": {body.result} by {body.method}"
    return await _after(session, staff, record, "certification.verified", detail)


@router.post("/certifications/{record_id}/{action}", name="webapp.record_change")
async def change_certification(
    session: DbSession,
    staff: SignedIn,
    caller: RecordsCaller,
    validity: RecordValidity,
    record_id: str,
    action: str,
) -> Response:
    """Suspend or reinstate a record."""
    known_id(record_id, "record_id")
    if action not in _PLAIN_ACTIONS:
        raise NotFound()
    changed = await lifecycle.change_lifecycle(
        session,
        caller,
        staff.organization_id,
        record_id,
        lifecycle.LifecycleChange(action),
        validity=validity,
    )
    return await _after(session, staff, changed, _PLAIN_ACTIONS[action])


async def _job_roles(
    session: AsyncSession, caller: Caller, staff: Staff, role: str
) -> dict[str, str]:
    """The organization's job roles (id -> name); a role id not among them is a 404."""
    listed = await job_roles.list_job_roles(
        session, caller, staff.organization_id, PageParams(200, None)
    )
    roles = {job_role.id: job_role.name for job_role in listed.rows}
    if role and known_id(role, "role") not in roles:
        raise NotFound("No job role of this organization has that id")
    return roles


@router.get("/gaps", name="webapp.record_gaps")
async def gap_report(
    session: DbSession,
    staff: SignedIn,
    caller: RecordsCaller,
    role: Filter = "",
    q: Filter = "",
    cursor: Filter = "",
) -> Response:
    """Members by qualifications: met, expiring within 30 days, or missing; a page at a time."""
    roles = await _job_roles(session, caller, staff, role)
    matrix = await results.gap_matrix(
        session,
        caller,
        staff.organization_id,
        _page(cursor, GAP_PAGE_SIZE),
        job_role_id=role or None,
        search=q.strip() or None,
    )
    query = {"role": role, "q": q}
    context = _context(
        staff,
        matrix=matrix,
        roles=roles,
        filters=query,
        cell_text=CELL_TEXT,
        next_query=_query(query, cursor=matrix.next_cursor or ""),
        export_query=_query(query),
        first_page=not cursor,
    )
    return render("record_gaps.html", context)


def _query(values: dict[str, str], **extra: str) -> str:
    return urlencode({key: value for key, value in {**values, **extra}.items() if value})


@router.get("/gaps.csv", name="webapp.record_gaps_csv")
async def gap_report_csv(
    session: DbSession, staff: SignedIn, caller: RecordsCaller, role: Filter = "", q: Filter = ""
) -> Response:
    """The filtered gap report as CSV (managers and up), every page of it."""
    staff.require(Role.manager)
    await _job_roles(session, caller, staff, role)
    matrices: list[results.GapMatrix] = []
    cursor: Cursor | None = None
    rows = 0
    while rows < GAP_EXPORT_LIMIT:
        matrix = await results.gap_matrix(
            session,
            caller,
            staff.organization_id,
            PageParams(GAP_EXPORT_PAGE, cursor),
            job_role_id=role or None,
            search=q.strip() or None,
        )
        matrices.append(matrix)
        rows += len(matrix.members)
        if matrix.next_cursor is None:
            break
        cursor = Cursor.decode(matrix.next_cursor)
    service.record(session, staff, "gap_report.exported", f"{rows} members", at=utc_now())
    return Response(
        gap_csv(matrices),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="gap-report.csv"',
            "Cache-Control": "no-store",
        },
    )
