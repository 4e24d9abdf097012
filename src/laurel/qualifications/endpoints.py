from typing import Annotated
from uuid import UUID

from fastapi import Response

from laurel.kit.body import body_docs
from laurel.kit.errors import Conflict, InvalidJson
from laurel.kit.ids import id_of_uuid
from laurel.qualifications.schemas import (
    AssignmentRead,
    AssignmentUpsert,
    GapReport,
    JobRoleCreate,
    JobRoleRead,
    JobRoleUpdate,
    QualificationCreate,
    QualificationRead,
    QualificationResult,
    QualificationUpdate,
)
from laurel.qualifications.service import job_roles, qualifications, results
from laurel.records_api import (
    Data,
    JobRolesRead,
    JobRolesWrite,
    PageQuery,
    QualificationsRead,
    QualificationsWrite,
    RecordsListResponse,
    data_body,
    json_body,
    list_body,
    problems,
    records_router,
)

router = records_router("Records: job roles and qualifications")
ROLES = "/organizations/{organization_id}/job-roles"
ASSIGNMENTS = "/organizations/{organization_id}/organization-members/{member_id}/job-roles"
QUALIFICATIONS = "/organizations/{organization_id}/qualifications"


@router.get(ROLES, name="records.job_roles.list", response_model=RecordsListResponse[JobRoleRead])
async def list_job_roles(api: JobRolesRead, organization_id: UUID, page: PageQuery) -> object:
    """List the organization's job roles."""
    result = await job_roles.list_job_roles(
        api.session, api.caller, id_of_uuid(organization_id), page
    )
    return list_body(result)


@router.post(
    ROLES,
    name="records.job_roles.create",
    status_code=201,
    response_model=Data[JobRoleRead],
    openapi_extra=body_docs(JobRoleCreate),
    responses=problems(InvalidJson, Conflict),
)
async def create_job_role(
    api: JobRolesWrite,
    organization_id: UUID,
    body: Annotated[JobRoleCreate, json_body(JobRoleCreate)],
) -> object:
    """Create a job role (admins and owners)."""
    role = await job_roles.create_job_role(
        api.session, api.caller, id_of_uuid(organization_id), body
    )
    return data_body(role)


@router.get(ROLES + "/{role_id}", name="records.job_roles.get", response_model=Data[JobRoleRead])
async def get_job_role(api: JobRolesRead, organization_id: UUID, role_id: UUID) -> object:
    """Get a job role."""
    role = await job_roles.get_job_role(
        api.session, api.caller, id_of_uuid(organization_id), id_of_uuid(role_id)
    )
    return data_body(role)


@router.patch(
    ROLES + "/{role_id}",
    name="records.job_roles.update",
    response_model=Data[JobRoleRead],
    openapi_extra=body_docs(JobRoleUpdate),
    responses=problems(InvalidJson, Conflict),
)
async def update_job_role(
    api: JobRolesWrite,
    organization_id: UUID,
    role_id: UUID,
    body: Annotated[JobRoleUpdate, json_body(JobRoleUpdate)],
) -> object:
    """Rename or describe a job role (admins and owners)."""
    role = await job_roles.update_job_role(
        api.session, api.caller, id_of_uuid(organization_id), id_of_uuid(role_id), body
    )
    return data_body(role)


@router.delete(ROLES + "/{role_id}", name="records.job_roles.delete", status_code=204)
async def delete_job_role(api: JobRolesWrite, organization_id: UUID, role_id: UUID) -> Response:
    """Delete a job role and its assignments (admins and owners)."""
    await job_roles.delete_job_role(
        api.session, api.caller, id_of_uuid(organization_id), id_of_uuid(role_id)
    )
    return Response(status_code=204)


@router.get(
    ASSIGNMENTS,
    name="records.assignments.list",
    response_model=RecordsListResponse[AssignmentRead],
)
async def list_assignments(
    api: JobRolesRead, organization_id: UUID, member_id: UUID, page: PageQuery
) -> object:
    """List a member's job roles."""
    result = await job_roles.list_assignments(
        api.session, api.caller, id_of_uuid(organization_id), id_of_uuid(member_id), page
    )
    return list_body(result)


@router.put(
    ASSIGNMENTS + "/{role_id}",
    name="records.assignments.upsert",
    response_model=Data[AssignmentRead],
    openapi_extra=body_docs(AssignmentUpsert, required=False),
    responses={
        201: {"description": "Assigned (the assignment did not exist)"},
        **problems(InvalidJson),
    },
)
async def assign_job_role(
    api: JobRolesWrite,
    organization_id: UUID,
    member_id: UUID,
    role_id: UUID,
    response: Response,
    body: Annotated[AssignmentUpsert, json_body(AssignmentUpsert, required=False)],
) -> object:
    """Assign a job role to a member, or update the assignment (managers and up): an upsert."""
    assignment, created = await job_roles.assign_job_role(
        api.session,
        api.caller,
        id_of_uuid(organization_id),
        id_of_uuid(member_id),
        id_of_uuid(role_id),
        body.is_primary,
    )
    response.status_code = 201 if created else 200
    return data_body(assignment)


@router.delete(ASSIGNMENTS + "/{role_id}", name="records.assignments.delete", status_code=204)
async def unassign_job_role(
    api: JobRolesWrite, organization_id: UUID, member_id: UUID, role_id: UUID
) -> Response:
    """Take a job role from a member (managers and up)."""
    await job_roles.unassign_job_role(
        api.session,
        api.caller,
        id_of_uuid(organization_id),
        id_of_uuid(member_id),
        id_of_uuid(role_id),
    )
    return Response(status_code=204)


@router.get(
    QUALIFICATIONS,
    name="records.qualifications.list",
    response_model=RecordsListResponse[QualificationRead],
)
async def list_qualifications(
    api: QualificationsRead, organization_id: UUID, page: PageQuery
) -> object:
    """List the organization's qualifications with their required types and roles."""
    result = await qualifications.list_qualifications(
        api.session, api.caller, id_of_uuid(organization_id), page
    )
    return list_body(result)


@router.post(
    QUALIFICATIONS,
    name="records.qualifications.create",
    status_code=201,
    response_model=Data[QualificationRead],
    openapi_extra=body_docs(QualificationCreate),
    responses=problems(InvalidJson, Conflict),
)
async def create_qualification(
    api: QualificationsWrite,
    organization_id: UUID,
    body: Annotated[QualificationCreate, json_body(QualificationCreate)],
) -> object:
    """Create a qualification: the certification types it requires, the roles it applies to."""
    created = await qualifications.create_qualification(
        api.session, api.caller, id_of_uuid(organization_id), body
    )
    return data_body(created)


@router.get(
    QUALIFICATIONS + "/{qualification_id}",
    name="records.qualifications.get",
    response_model=Data[QualificationRead],
)
async def get_qualification(
    api: QualificationsRead, organization_id: UUID, qualification_id: UUID
) -> object:
    """Get a qualification."""
    found = await qualifications.get_qualification(
        api.session, api.caller, id_of_uuid(organization_id), id_of_uuid(qualification_id)
    )
    return data_body(found)


@router.patch(
    QUALIFICATIONS + "/{qualification_id}",
    name="records.qualifications.update",
    response_model=Data[QualificationRead],
    openapi_extra=body_docs(QualificationUpdate),
    responses=problems(InvalidJson, Conflict),
)
async def update_qualification(
    api: QualificationsWrite,
    organization_id: UUID,
    qualification_id: UUID,
    body: Annotated[QualificationUpdate, json_body(QualificationUpdate)],
) -> object:
    """Change a qualification; lists sent replace the old ones."""
    updated = await qualifications.update_qualification(
        api.session, api.caller, id_of_uuid(organization_id), id_of_uuid(qualification_id), body
    )
    return data_body(updated)


@router.delete(
    QUALIFICATIONS + "/{qualification_id}", name="records.qualifications.delete", status_code=204
)
async def delete_qualification(
    api: QualificationsWrite, organization_id: UUID, qualification_id: UUID
) -> Response:
    """Delete a qualification."""
    await qualifications.delete_qualification(
        api.session, api.caller, id_of_uuid(organization_id), id_of_uuid(qualification_id)
    )
    return Response(status_code=204)


@router.get(
    "/qualification-results",
    name="records.qualification_results.mine",
    response_model=RecordsListResponse[QualificationResult],
)
async def my_qualification_results(api: QualificationsRead) -> object:
    """The token subject's qualification results, computed now, in every organization."""
    mine = await results.my_results(api.session, api.caller)
    return {"data": mine, "page": {"next_cursor": None, "has_more": False}}


@router.get(
    "/organizations/{organization_id}/qualification-results",
    name="records.qualification_results.list",
    response_model=RecordsListResponse[QualificationResult],
)
async def organization_qualification_results(
    api: QualificationsRead, organization_id: UUID, page: PageQuery
) -> object:
    """Qualification results of the organization's members, a page of members at a time."""
    result = await results.organization_results(
        api.session, api.caller, id_of_uuid(organization_id), page
    )
    return list_body(result)


@router.get(
    "/organizations/{organization_id}/qualification-gaps",
    name="records.qualification_gaps",
    response_model=Data[GapReport],
)
async def qualification_gaps(api: QualificationsRead, organization_id: UUID) -> object:
    """The gap report (managers and up): who lacks what, what lapses in 30, 60 or 90 days."""
    report = await results.gap_report(api.session, api.caller, id_of_uuid(organization_id))
    return data_body(report)
