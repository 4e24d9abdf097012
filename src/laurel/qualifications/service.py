"""Job roles, their assignments, qualifications, and who meets them."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.users import Caller
from laurel.kit.errors import Conflict, NotFound, ValidationFailed, found
from laurel.kit.ids import id_of_uuid
from laurel.kit.pagination import PageParams, PageResult
from laurel.kit.timestamps import utc_now
from laurel.members.repository import MemberRepository
from laurel.models import JobRole, JobRoleAssignment, Qualification, Role
from laurel.qualifications import evaluation
from laurel.qualifications.repository import (
    EvaluationRepository,
    JobRoleRepository,
    QualificationRepository,
)
from laurel.qualifications.schemas import (
    JobRoleCreate,
    JobRoleUpdate,
    QualificationCreate,
    QualificationUpdate,
)

# -- job roles and assignments ------------------------------------------------------------


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
    await _name_free(repository, organization_id, body.name)
    role = JobRole(organization_id=organization_id, name=body.name, description=body.description)
    repository.add(role)
    await session.flush()
    return role


async def update_job_role(
    session: AsyncSession, caller: Caller, organization_id: str, role_id: str, body: JobRoleUpdate
) -> JobRole:
    caller.with_role(organization_id, Role.admin)
    role = await get_job_role(session, caller, organization_id, role_id)
    await _name_free(JobRoleRepository(session), organization_id, body.name, role.id)
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


async def _name_free(
    repository: "JobRoleRepository | QualificationRepository",
    organization_id: str,
    name: str | None,
    keep_id: str | None = None,
) -> None:
    # A race past this check still ends as a 409, through the unique constraint.
    if name is not None and await repository.name_taken(organization_id, name, keep_id):
        raise Conflict(f"name: '{name}' is taken in this organization", param="name")


async def _require_member(session: AsyncSession, organization_id: str, member_id: str) -> None:
    """404 unless the member belongs to the organization."""
    found(await MemberRepository(session).get(organization_id, member_id))


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


# -- qualifications -----------------------------------------------------------------------


_QUALIFICATION_FIELDS = ("id", "organization_id", "name", "description", "created_at", "updated_at")


async def _views(
    session: AsyncSession, qualifications: Sequence[Qualification]
) -> list[dict[str, Any]]:
    """Qualifications with their required types and roles, read in one go for all of them."""
    types, roles = await QualificationRepository(session).links([q.id for q in qualifications])
    return [
        {name: getattr(qualification, name) for name in _QUALIFICATION_FIELDS}
        | {
            "certification_type_ids": sorted(types[qualification.id]),
            "job_role_ids": sorted(roles[qualification.id]),
        }
        for qualification in qualifications
    ]


async def _view(session: AsyncSession, qualification: Qualification) -> dict[str, Any]:
    return (await _views(session, [qualification]))[0]


async def list_qualifications(
    session: AsyncSession, caller: Caller, organization_id: str, page: PageParams
) -> PageResult[dict[str, Any]]:
    caller.member_of(organization_id)
    result = await QualificationRepository(session).list_page(organization_id, page)
    return PageResult(await _views(session, result.rows), result.prev, result.next)


async def _qualification(
    session: AsyncSession, caller: Caller, organization_id: str, qualification_id: str
) -> Qualification:
    caller.member_of(organization_id)
    repository = QualificationRepository(session)
    return found(await repository.get(organization_id, qualification_id))


async def get_qualification(
    session: AsyncSession, caller: Caller, organization_id: str, qualification_id: str
) -> dict[str, Any]:
    return await _view(
        session, await _qualification(session, caller, organization_id, qualification_id)
    )


async def _checked_links(
    session: AsyncSession,
    organization_id: str,
    type_ids: Sequence[UUID] | None,
    role_ids: Sequence[UUID] | None,
) -> tuple[list[str] | None, list[str] | None]:
    """The linked ids, each once, after checking the organization may use every one."""
    types = None if type_ids is None else list(dict.fromkeys(map(id_of_uuid, type_ids)))
    roles = None if role_ids is None else list(dict.fromkeys(map(id_of_uuid, role_ids)))
    if types is not None:
        usable = await QualificationRepository(session).usable_type_ids(organization_id, types)
        _all_known("certification_type_ids", types, usable)
    if roles is not None:
        known = await JobRoleRepository(session).existing_ids(organization_id, roles)
        _all_known("job_role_ids", roles, known)
    return types, roles


def _all_known(field: str, ids: list[str], known: set[str]) -> None:
    for index, linked in enumerate(ids):
        if linked not in known:
            raise ValidationFailed(
                f"{field}[{index}]: no such id in this organization", param=f"{field}[{index}]"
            )


async def create_qualification(
    session: AsyncSession, caller: Caller, organization_id: str, body: QualificationCreate
) -> dict[str, Any]:
    caller.with_role(organization_id, Role.admin)
    types, roles = await _checked_links(
        session, organization_id, body.certification_type_ids, body.job_role_ids
    )
    qualification = Qualification(
        organization_id=organization_id, name=body.name, description=body.description
    )
    repository = QualificationRepository(session)
    await _name_free(repository, organization_id, body.name)
    repository.add(qualification)
    await session.flush()
    await repository.replace_links(qualification.id, types, roles)
    return await _view(session, qualification)


async def update_qualification(
    session: AsyncSession,
    caller: Caller,
    organization_id: str,
    qualification_id: str,
    body: QualificationUpdate,
) -> dict[str, Any]:
    caller.with_role(organization_id, Role.admin)
    qualification = await _qualification(session, caller, organization_id, qualification_id)
    sent = body.model_fields_set
    types, roles = await _checked_links(
        session,
        organization_id,
        body.certification_type_ids if "certification_type_ids" in sent else None,
        body.job_role_ids if "job_role_ids" in sent else None,
    )
    await _name_free(QualificationRepository(session), organization_id, body.name, qualification.id)
    if body.name is not None:
        qualification.name = body.name
    if "description" in sent:
        qualification.description = body.description
    qualification.updated_at = utc_now()
    await QualificationRepository(session).replace_links(qualification.id, types, roles)
    return await _view(session, qualification)


async def delete_qualification(
    session: AsyncSession, caller: Caller, organization_id: str, qualification_id: str
) -> None:
    caller.with_role(organization_id, Role.admin)
    qualification = await _qualification(session, caller, organization_id, qualification_id)
    await QualificationRepository(session).delete(qualification)


# -- results and the gap report ----------------------------------------------------------


async def _evaluate(
    session: AsyncSession,
    organization_id: str,
    member_ids: Sequence[str] | None,
    qualification_ids: Sequence[str] | None = None,
) -> list[evaluation.Result]:
    """Results for these members (all when None), of the given or all qualifications."""
    qualifications = QualificationRepository(session)
    if qualification_ids is None:
        qualification_ids = list(await qualifications.names_of(organization_id))
    types, roles = await qualifications.links(qualification_ids)
    requirements = evaluation.Requirements.build(types, roles)
    reads = EvaluationRepository(session)
    assignments = await reads.role_assignments(organization_id, member_ids)
    required = {t for type_ids in types.values() for t in type_ids}
    records = await reads.counting_records(organization_id, member_ids, required, utc_now().date())
    return evaluation.evaluate(assignments, requirements, evaluation.best_expiry(records))


async def my_results(session: AsyncSession, caller: Caller) -> list[dict[str, Any]]:
    """The token subject's results, in each organization they belong to."""
    now = utc_now()
    views = []
    for membership in caller.memberships:
        results = await _evaluate(session, membership.organization_id, [membership.id])
        views += [evaluation.as_view(result, now) for result in results]
    return views


async def organization_results(
    session: AsyncSession, caller: Caller, organization_id: str, page: PageParams
) -> PageResult[dict[str, Any]]:
    """Results of a page of members (a member sees their own only)."""
    own = caller.member_of(organization_id)
    only = None if own.at_least(Role.manager) else own.id
    members = await EvaluationRepository(session).member_ids_page(organization_id, page, only)
    now = utc_now()
    results = await _evaluate(session, organization_id, members.rows) if members.rows else []
    views = [evaluation.as_view(result, now) for result in results]
    return PageResult(views, members.prev, members.next)


async def gap_report(session: AsyncSession, caller: Caller, organization_id: str) -> dict[str, Any]:
    """Who lacks what, and whose qualifications lapse within 30, 60 or 90 days (managers)."""
    caller.with_role(organization_id, Role.manager)
    names = await QualificationRepository(session).names_of(organization_id)
    results = await _evaluate(session, organization_id, None, list(names))
    now = utc_now()
    return _report(organization_id, names, results, now)


@dataclass
class _Tally:
    qualification_id: str
    name: str
    members_evaluated: int = 0
    qualified: int = 0
    not_qualified: int = 0
    lapsing: dict[int, int] = field(default_factory=lambda: dict.fromkeys(evaluation.WINDOWS, 0))

    def view(self) -> dict[str, Any]:
        counts = {f"expiring_within_{days}_days": n for days, n in self.lapsing.items()}
        return {
            "qualification_id": self.qualification_id,
            "name": self.name,
            "members_evaluated": self.members_evaluated,
            "qualified": self.qualified,
            "not_qualified": self.not_qualified,
            **counts,
        }


def _report(
    organization_id: str, names: dict[str, str], results: list[evaluation.Result], now: datetime
) -> dict[str, Any]:
    tallies = {q: _Tally(q, name) for q, name in names.items()}
    gaps: list[dict[str, Any]] = []
    expiring: list[dict[str, Any]] = []
    for result in results:
        tally = tallies[result.qualification_id]
        tally.members_evaluated += 1
        if not result.qualified:
            tally.not_qualified += 1
            gaps.append(_gap(result))
            continue
        tally.qualified += 1
        window = evaluation.lapses_within(result, now.date())
        if window is not None and result.first_lapse is not None:
            for days in evaluation.WINDOWS:
                tally.lapsing[days] += days >= window
            expiring.append(_lapse(result, result.first_lapse, window))
    return {
        "organization_id": organization_id,
        "evaluated_at": now,
        "members_evaluated": len({result.member_id for result in results}),
        "qualifications": [tally.view() for tally in tallies.values()],
        "gaps": gaps,
        "expiring": expiring,
    }


def _gap(result: evaluation.Result) -> dict[str, Any]:
    return {
        "organization_member_id": result.member_id,
        "qualification_id": result.qualification_id,
        "missing_certification_type_ids": result.missing,
    }


def _lapse(result: evaluation.Result, lapse: tuple[str, date], window: int) -> dict[str, Any]:
    return {
        "organization_member_id": result.member_id,
        "qualification_id": result.qualification_id,
        "certification_type_id": lapse[0],
        "expires_on": lapse[1],
        "within_days": window,
    }
