from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import Select, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.pagination import PageParams, PageResult, paginate
from laurel.models import (
    CertificationRecord,
    CertificationType,
    JobRole,
    JobRoleAssignment,
    LifecycleStatus,
    Membership,
    MembershipStatus,
    Qualification,
    User,
    VerificationStatus,
    qualification_job_roles,
    qualification_requirements,
)
from laurel.models.base import table_of

_records, _assignments = table_of(CertificationRecord), table_of(JobRoleAssignment)
_members = table_of(Membership)


class JobRoleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def name_taken(self, organization_id: str, name: str, keep_id: str | None) -> bool:
        statement = select(JobRole.id).where(
            JobRole.organization_id == organization_id, JobRole.name == name
        )
        if keep_id is not None:
            statement = statement.where(JobRole.id != keep_id)
        return (await self.session.scalar(statement)) is not None

    def _of(self, organization_id: str) -> Select[JobRole]:
        return select(JobRole).where(JobRole.organization_id == organization_id)

    async def list_page(self, organization_id: str, params: PageParams) -> PageResult[JobRole]:
        return await paginate(self.session, self._of(organization_id), JobRole.id, params)

    async def get(self, organization_id: str, role_id: str) -> JobRole | None:
        found: JobRole | None = await self.session.scalar(
            self._of(organization_id).where(JobRole.id == role_id)
        )
        return found

    async def existing_ids(self, organization_id: str, role_ids: Iterable[str]) -> set[str]:
        statement = select(JobRole.id).where(
            JobRole.organization_id == organization_id, JobRole.id.in_(set(role_ids))
        )
        return set((await self.session.scalars(statement)).all())

    def add(self, entity: JobRole | JobRoleAssignment) -> None:
        self.session.add(entity)

    async def delete(self, entity: JobRole | JobRoleAssignment) -> None:
        await self.session.delete(entity)

    async def assignment(self, member_id: str, role_id: str) -> JobRoleAssignment | None:
        return await self.session.scalar(
            select(JobRoleAssignment).where(
                JobRoleAssignment.organization_member_id == member_id,
                JobRoleAssignment.job_role_id == role_id,
            )
        )

    async def assignments_page(
        self, member_id: str, params: PageParams
    ) -> PageResult[JobRoleAssignment]:
        statement = select(JobRoleAssignment).where(
            JobRoleAssignment.organization_member_id == member_id
        )
        return await paginate(self.session, statement, JobRoleAssignment.id, params)


class QualificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def name_taken(self, organization_id: str, name: str, keep_id: str | None) -> bool:
        statement = select(Qualification.id).where(
            Qualification.organization_id == organization_id, Qualification.name == name
        )
        if keep_id is not None:
            statement = statement.where(Qualification.id != keep_id)
        return (await self.session.scalar(statement)) is not None

    def _of(self, organization_id: str) -> Select[Qualification]:
        return select(Qualification).where(Qualification.organization_id == organization_id)

    async def list_page(
        self, organization_id: str, params: PageParams
    ) -> PageResult[Qualification]:
        return await paginate(self.session, self._of(organization_id), Qualification.id, params)

    async def get(self, organization_id: str, qualification_id: str) -> Qualification | None:
        found: Qualification | None = await self.session.scalar(
            self._of(organization_id).where(Qualification.id == qualification_id)
        )
        return found

    def add(self, qualification: Qualification) -> None:
        self.session.add(qualification)

    async def delete(self, qualification: Qualification) -> None:
        await self.session.delete(qualification)

    async def usable_type_ids(self, organization_id: str, type_ids: Iterable[str]) -> set[str]:
        statement = select(CertificationType.id).where(
            CertificationType.id.in_(set(type_ids)),
            or_(
                CertificationType.organization_id == organization_id,
                CertificationType.organization_id.is_(None),
            ),
        )
        return set((await self.session.scalars(statement)).all())

    async def replace_links(
        self, qualification_id: str, type_ids: Sequence[str] | None, role_ids: Sequence[str] | None
    ) -> None:
        for table, column, ids in (
            (qualification_requirements, "certification_type_id", type_ids),
            (qualification_job_roles, "job_role_id", role_ids),
        ):
            if ids is None:
                continue
            await self.session.execute(
                delete(table).where(table.c.qualification_id == qualification_id)
            )
            if ids:
                rows = [{"qualification_id": qualification_id, column: i} for i in ids]
                await self.session.execute(insert(table), rows)

    async def links(
        self, qualification_ids: Sequence[str]
    ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Required type ids and linked job-role ids of each qualification."""
        types: dict[str, list[str]] = {q: [] for q in qualification_ids}
        roles: dict[str, list[str]] = {q: [] for q in qualification_ids}
        for table, column, into in (
            (qualification_requirements, "certification_type_id", types),
            (qualification_job_roles, "job_role_id", roles),
        ):
            statement = select(table.c.qualification_id, table.c[column]).where(
                table.c.qualification_id.in_(qualification_ids)
            )
            for qualification_id, linked in await self.session.execute(statement):
                into[qualification_id].append(linked)
        return types, roles

    async def names_of(self, organization_id: str) -> dict[str, str]:
        statement = select(Qualification.id, Qualification.name).where(
            Qualification.organization_id == organization_id
        )
        return {row.id: row.name for row in await self.session.execute(statement)}


class EvaluationRepository:
    """Two of an evaluation's three reads (QualificationRepository.links is the third).

    Core statements over the tables, yielding plain tuples: they are the gap report's hot path,
    whose cost docs/benchmarks.md measures (tens of thousands of rows per report).
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def role_assignments(
        self, organization_id: str, member_ids: Sequence[str] | None
    ) -> list[tuple[str, str]]:
        statement = (
            select(_assignments.c.organization_member_id, _assignments.c.job_role_id)
            .join(_members, _members.c.id == _assignments.c.organization_member_id)
            .where(
                _members.c.organization_id == organization_id,
                _members.c.status == MembershipStatus.active,
            )
        )
        if member_ids is not None:
            statement = statement.where(_members.c.id.in_(member_ids))
        return [(row[0], row[1]) for row in await self.session.execute(statement)]

    async def members_page(
        self,
        organization_id: str,
        params: PageParams,
        *,
        job_role_id: str | None = None,
        search: str | None = None,
        only_member_id: str | None = None,
    ) -> PageResult[tuple[str, str, str]]:
        """A page of active members as (id, display name, email): those holding a job role,
        or whose name or email contains `search`, when asked."""
        statement = (
            select(Membership.id, User.display_name, User.email)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.organization_id == organization_id,
                Membership.status == MembershipStatus.active,
            )
        )
        if only_member_id is not None:
            statement = statement.where(Membership.id == only_member_id)
        if job_role_id is not None:
            holding = select(_assignments.c.organization_member_id).where(
                _assignments.c.job_role_id == job_role_id
            )
            statement = statement.where(Membership.id.in_(holding))
        if search:
            # autoescape: a % or _ typed in the search box is a character, not a wildcard.
            statement = statement.where(
                or_(
                    User.display_name.icontains(search, autoescape=True),
                    User.email.icontains(search, autoescape=True),
                )
            )
        result = await paginate(self.session, statement, Membership.id, params)
        rows = [(row.id, row.display_name, row.email) for row in result.rows]
        return PageResult(rows, result.prev, result.next)

    async def counting_records(
        self,
        organization_id: str,
        member_ids: Sequence[str] | None,
        required_type_ids: Iterable[str],
        today: date,
    ) -> list[tuple[str, str, date | None]]:
        """(member, type, expires_on) of records that meet a requirement today."""
        r = _records.c
        required = set(required_type_ids)
        statement = select(r.organization_member_id, r.certification_type_id, r.expires_on).where(
            r.organization_id == organization_id,
            r.lifecycle_status == LifecycleStatus.active,
            r.verification_status != VerificationStatus.failed,
            or_(r.issued_on.is_(None), r.issued_on <= today),
            or_(r.expires_on.is_(None), r.expires_on >= today),
        )
        if member_ids is None:
            statement = statement.where(r.certification_type_id.in_(required))
            return [(row[0], row[1], row[2]) for row in await self.session.execute(statement)]
        # For a page of members, the members are the selective condition; with the type list
        # beside it SQLite chose the (organization, type) index and read every member's records
        # of those types (100 ms at 10,000 members, against 0.5 ms). Types are kept here instead.
        statement = statement.where(r.organization_member_id.in_(member_ids))
        rows = await self.session.execute(statement)
        return [(row[0], row[1], row[2]) for row in rows if row[1] in required]
