"""Who meets which qualification, computed now: a member's results and the gap report."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.users import Caller
from laurel.kit.pagination import PageParams, PageResult
from laurel.kit.timestamps import utc_now
from laurel.members.repository import MemberRepository
from laurel.models import Role
from laurel.qualifications import evaluation
from laurel.qualifications.repository import EvaluationRepository, QualificationRepository


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
    members = await MemberRepository(session).active_ids_page(
        organization_id, page, only_member_id=only
    )
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


@dataclass(frozen=True)
class GapMatrix:
    """One page of the gap report as a matrix: members (rows) by qualifications (columns)."""

    qualifications: dict[str, str]
    members: list[tuple[str, str, str]]
    results: dict[tuple[str, str], evaluation.Result]
    today: date
    next_cursor: str | None

    def cell(self, member_id: str, qualification_id: str) -> str:
        """met, expiring (within 30 days), missing, or not_required (no role of theirs needs it)."""
        result = self.results.get((member_id, qualification_id))
        if result is None:
            return "not_required"
        if not result.qualified:
            return "missing"
        window = evaluation.lapses_within(result, self.today)
        return "expiring" if window == evaluation.WINDOWS[0] else "met"


async def gap_matrix(
    session: AsyncSession,
    caller: Caller,
    organization_id: str,
    page: PageParams,
    *,
    job_role_id: str | None = None,
    search: str | None = None,
) -> GapMatrix:
    """A page of members and, for each qualification, whether they meet it (a member sees their
    own row only)."""
    own = caller.member_of(organization_id)
    only = None if own.at_least(Role.manager) else own.id
    names = await QualificationRepository(session).names_of(organization_id)
    members = await EvaluationRepository(session).members_page(
        organization_id, page, job_role_id=job_role_id, search=search, only_member_id=only
    )
    member_ids = [member[0] for member in members.rows]
    results = []
    if member_ids:
        results = await _evaluate(session, organization_id, member_ids, list(names))
    by_cell = {(r.member_id, r.qualification_id): r for r in results}
    return GapMatrix(names, members.rows, by_cell, utc_now().date(), members.next)


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
