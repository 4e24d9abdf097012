"""Job roles and which members hold them (assignments)."""

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.users import Caller
from laurel.kit.errors import NotFound, found
from laurel.kit.pagination import PageParams, PageResult
from laurel.kit.timestamps import utc_now
from laurel.members.repository import MemberRepository
from laurel.models import JobRole, JobRoleAssignment, Role
from laurel.qualifications.repository import JobRoleRepository
from laurel.qualifications.schemas import JobRoleCreate, JobRoleUpdate
from laurel.qualifications.service.names import require_free_name


async def list_job_roles(
    session: AsyncSession, caller: Caller, organization_id: str, page: PageParams
) -> PageResult[JobRole]:
    caller.member_of(organization_id)
    return await JobRoleRepository(session).list_page(organization_id, page)


async def get_job_role(
    session: AsyncSession, caller: Caller, organization_id: str, role_id: str
) -> JobRole:
    caller.member_of(organization_id)
    return found(await JobRoleRepository(session).get(organization_id, role_id))


async def create_job_role(
    session: AsyncSession, caller: Caller, organization_id: str, body: JobRoleCreate
) -> JobRole:
    caller.with_role(organization_id, Role.admin)
    repository = JobRoleRepository(session)
    await require_free_name(repository, organization_id, body.name)
    role = JobRole(organization_id=organization_id, name=body.name, description=body.description)
    repository.add(role)
    await session.flush()
    return role


async def update_job_role(
    session: AsyncSession, caller: Caller, organization_id: str, role_id: str, body: JobRoleUpdate
) -> JobRole:
    caller.with_role(organization_id, Role.admin)
    role = await get_job_role(session, caller, organization_id, role_id)
    await require_free_name(JobRoleRepository(session), organization_id, body.name, role.id)
    if body.name is not None:
        role.name = body.name
    if "description" in body.model_fields_set:
        role.description = body.description
    role.updated_at = utc_now()
    return role


async def delete_job_role(
    session: AsyncSession, caller: Caller, organization_id: str, role_id: str
) -> None:
    caller.with_role(organization_id, Role.admin)
    role = await get_job_role(session, caller, organization_id, role_id)
    await JobRoleRepository(session).delete(role)


async def _require_member(session: AsyncSession, organization_id: str, member_id: str) -> None:
    """404 unless the member belongs to the organization."""
    found(await MemberRepository(session).get(member_id, organization_id=organization_id))


async def assign_job_role(
    session: AsyncSession,
    caller: Caller,
    organization_id: str,
    member_id: str,
    role_id: str,
    is_primary: bool,
) -> tuple[JobRoleAssignment, bool]:
    """Upsert a member's assignment to a role; True when it was created."""
    caller.with_role(organization_id, Role.manager)
    await _require_member(session, organization_id, member_id)
    repository = JobRoleRepository(session)
    role = found(await repository.get(organization_id, role_id))
    assignment = await repository.assignment(member_id, role.id)
    now = utc_now()
    if assignment is not None:
        assignment.is_primary, assignment.updated_at = is_primary, now
        return assignment, False
    assignment = JobRoleAssignment(
        organization_member_id=member_id,
        job_role_id=role.id,
        is_primary=is_primary,
        assigned_at=now,
    )
    repository.add(assignment)
    await session.flush()
    return assignment, True


async def unassign_job_role(
    session: AsyncSession, caller: Caller, organization_id: str, member_id: str, role_id: str
) -> None:
    caller.with_role(organization_id, Role.manager)
    await _require_member(session, organization_id, member_id)
    repository = JobRoleRepository(session)
    await repository.delete(found(await repository.assignment(member_id, role_id)))


async def list_assignments(
    session: AsyncSession, caller: Caller, organization_id: str, member_id: str, page: PageParams
) -> PageResult[JobRoleAssignment]:
    own = caller.member_of(organization_id)
    if member_id != own.id and not own.at_least(Role.manager):
        raise NotFound()
    await _require_member(session, organization_id, member_id)
    return await JobRoleRepository(session).assignments_page(member_id, page)
