"""What the gap report measures against: certification types, job roles and qualifications, listed
for every role and created or edited by owners and admins (the services' own rule)."""

from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.certifications.schemas import CertificationTypeCreate, CertificationTypeUpdate
from laurel.certifications.service import certification_types
from laurel.db import DbSession
from laurel.kit.ids import uuid_of
from laurel.kit.pagination import PageParams
from laurel.kit.timestamps import utc_now
from laurel.models import Role
from laurel.qualifications.schemas import (
    JobRoleCreate,
    JobRoleUpdate,
    QualificationCreate,
    QualificationUpdate,
)
from laurel.qualifications.service import job_roles, qualifications
from laurel.webapp import service
from laurel.webapp.records_forms import known_id
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

# Enough for one page of each list; an organization with more is the records API's business.
LISTED = 200
_SETUP = "/app/records/setup"


@router.get("/setup", name="webapp.record_setup")
async def setup_page(session: DbSession, staff: SignedIn, caller: RecordsCaller) -> Response:
    """Certification types, job roles and qualifications, with the forms that make them."""
    organization_id, everything = staff.organization_id, PageParams(LISTED, None)
    types = await certification_types.list_types(session, caller, organization_id, everything)
    roles = await job_roles.list_job_roles(session, caller, organization_id, everything)
    listed = await qualifications.list_qualifications(session, caller, organization_id, everything)
    context = {
        "staff": staff,
        "active": "records",
        "Role": Role,
        "types": types.rows,
        "type_titles": {kind.id: kind.title for kind in types.rows},
        "roles": roles.rows,
        "role_names": {role.id: role.name for role in roles.rows},
        "qualifications": listed.rows,
    }
    return render("record_setup.html", context)


async def _linked_ids(request: Request) -> dict[str, list[str]]:
    """The checked boxes of a qualification's form, as the UUIDs the service takes."""
    form = await request.form()
    linked: dict[str, list[str]] = {}
    for field in ("certification_type_ids", "job_role_ids"):
        values = [str(value) for value in form.getlist(field)]
        linked[field] = [uuid_of(known_id(value, field) or "") for value in values if value]
    return linked


def _done(staff: Staff, session: AsyncSession, action: str, target: str) -> Response:
    service.record(session, staff, action, target, at=utc_now())
    return RedirectResponse(_SETUP, status_code=303)


@router.post("/types", name="webapp.record_type_create")
async def create_type(
    session: DbSession,
    staff: SignedIn,
    caller: RecordsCaller,
    body: Annotated[CertificationTypeCreate, form_of(CertificationTypeCreate)],
) -> Response:
    """A certification type of the organization's own."""
    kind = await certification_types.create_type(session, caller, staff.organization_id, body)
    return _done(staff, session, "certification_type.created", f"{kind.id} ({kind.title})")


@router.post("/types/{type_id}", name="webapp.record_type_update")
async def update_type(
    session: DbSession,
    staff: SignedIn,
    caller: RecordsCaller,
    type_id: str,
    body: Annotated[CertificationTypeUpdate, form_of(CertificationTypeUpdate)],
) -> Response:
    """Retitle, describe, archive or reactivate a certification type."""
    known_id(type_id, "type_id")
    kind = await certification_types.update_type(
        session, caller, staff.organization_id, type_id, body
    )
    return _done(staff, session, "certification_type.changed", f"{kind.id} ({kind.title})")


@router.post("/job-roles", name="webapp.record_role_create")
async def create_role(
    session: DbSession,
    staff: SignedIn,
    caller: RecordsCaller,
    body: Annotated[JobRoleCreate, form_of(JobRoleCreate)],
) -> Response:
    """A job role members can hold."""
    role = await job_roles.create_job_role(session, caller, staff.organization_id, body)
    return _done(staff, session, "job_role.created", f"{role.id} ({role.name})")


@router.post("/job-roles/{role_id}", name="webapp.record_role_update")
async def update_role(
    session: DbSession,
    staff: SignedIn,
    caller: RecordsCaller,
    role_id: str,
    body: Annotated[JobRoleUpdate, form_of(JobRoleUpdate)],
) -> Response:
    """Rename or describe a job role."""
    known_id(role_id, "role_id")
    role = await job_roles.update_job_role(session, caller, staff.organization_id, role_id, body)
    return _done(staff, session, "job_role.changed", f"{role.id} ({role.name})")


@router.post("/qualifications", name="webapp.record_qualification_create")
async def create_qualification(
    request: Request, session: DbSession, staff: SignedIn, caller: RecordsCaller
) -> Response:
    """A qualification: the certification types it requires, of the job roles it applies to."""
    body = parsed(QualificationCreate, await form_fields(request), **await _linked_ids(request))
    made = await qualifications.create_qualification(session, caller, staff.organization_id, body)
    return _done(staff, session, "qualification.created", f"{made['id']} ({made['name']})")


@router.post("/qualifications/{qualification_id}", name="webapp.record_qualification_update")
async def update_qualification(
    request: Request,
    session: DbSession,
    staff: SignedIn,
    caller: RecordsCaller,
    qualification_id: str,
) -> Response:
    """Rename a qualification or change what it requires and of whom (the whole set each time)."""
    known_id(qualification_id, "qualification_id")
    body = parsed(QualificationUpdate, await form_fields(request), **await _linked_ids(request))
    changed = await qualifications.update_qualification(
        session, caller, staff.organization_id, qualification_id, body
    )
    return _done(staff, session, "qualification.changed", f"{changed['id']} ({changed['name']})")
