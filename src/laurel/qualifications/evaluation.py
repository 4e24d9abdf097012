"""Who is qualified: pure functions over what the repository read, linear in the input.

A member is evaluated for every qualification linked to one of their job roles. A requirement
(a certification type) is met by a record of that type that is active, not failed
verification, already valid and not expired. A qualified member is "expiring within N days"
when a requirement they meet is met only by records that expire within N days.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

WINDOWS = (30, 60, 90)


@dataclass(frozen=True)
class Requirements:
    """The organization's qualifications: required types, and which roles they apply to."""

    types_of: dict[str, frozenset[str]]
    qualifications_of_role: dict[str, list[str]]

    @classmethod
    def build(cls, types: dict[str, list[str]], roles: dict[str, list[str]]) -> "Requirements":
        of_role: dict[str, list[str]] = defaultdict(list)
        for qualification_id, role_ids in roles.items():
            for role_id in role_ids:
                of_role[role_id].append(qualification_id)
        frozen = {q: frozenset(t) for q, t in types.items()}
        return cls(frozen, dict(of_role))


@dataclass(frozen=True)
class Result:
    member_id: str
    qualification_id: str
    met: int
    total: int
    missing: list[str]
    # The requirement that lapses first, when every requirement is met: (type id, date).
    first_lapse: tuple[str, date] | None

    @property
    def qualified(self) -> bool:
        return not self.missing


def best_expiry(records: Iterable[tuple[str, str, date | None]]) -> dict[str, dict[str, date]]:
    """member -> type -> the latest expiry among the records that count (date.max: never)."""
    held: dict[str, dict[str, date]] = defaultdict(dict)
    for member_id, type_id, expires_on in records:
        expiry = expires_on or date.max
        types = held[member_id]
        if expiry > types.get(type_id, date.min):
            types[type_id] = expiry
    return held


def evaluate(
    assignments: Iterable[tuple[str, str]],
    requirements: Requirements,
    held: dict[str, dict[str, date]],
) -> list[Result]:
    qualifications_of: dict[str, dict[str, None]] = defaultdict(dict)
    for member_id, role_id in assignments:
        for qualification_id in requirements.qualifications_of_role.get(role_id, ()):
            qualifications_of[member_id][qualification_id] = None
    results = []
    for member_id, qualification_ids in qualifications_of.items():
        types_held = held.get(member_id, {})
        for qualification_id in qualification_ids:
            required = requirements.types_of.get(qualification_id, frozenset())
            results.append(_result(member_id, qualification_id, required, types_held))
    return results


def _result(
    member_id: str, qualification_id: str, required: frozenset[str], held: dict[str, date]
) -> Result:
    missing = sorted(type_id for type_id in required if type_id not in held)
    lapse = None
    if not missing and required:
        lapse = min(((t, held[t]) for t in required), key=lambda pair: pair[1])
    met = len(required) - len(missing)
    return Result(member_id, qualification_id, met, len(required), missing, lapse)


def lapses_within(result: Result, today: date) -> int | None:
    """The smallest window (30, 60 or 90 days) in which a qualified member loses it."""
    if result.first_lapse is None or result.first_lapse[1] == date.max:
        return None
    days = (result.first_lapse[1] - today).days
    return next((window for window in WINDOWS if days <= window), None)


def as_view(result: Result, evaluated_at: datetime) -> dict[str, object]:
    return {
        "organization_member_id": result.member_id,
        "qualification_id": result.qualification_id,
        "status": "qualified" if result.qualified else "not_qualified",
        "met_requirement_count": result.met,
        "total_requirement_count": result.total,
        "missing_certification_type_ids": result.missing,
        "evaluated_at": evaluated_at,
    }
