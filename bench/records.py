"""Records API at scale: an organization generated in bulk, then its gap report timed.

`measure_gap_reports(url)` generates organizations of 1,000, 10,000 and 100,000 members (50
certification types, 5 job roles each with one qualification of 6 required types, 10 records
per member with mixed expiries and statuses), and times `GET .../qualification-gaps` through
the whole app (in process, over ASGI, JSON included): the median of a few runs.
"""

import asyncio
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Table, insert

from laurel.app import create_app
from laurel.config import Environment, Settings
from laurel.db import Database
from laurel.kit.crypto import generate_token, hash_token
from laurel.kit.ids import new_id, uuid_of
from laurel.kit.timestamps import utc_now
from laurel.models import (
    CertificationRecord,
    CertificationType,
    JobRole,
    JobRoleAssignment,
    Membership,
    Organization,
    Qualification,
    User,
    UserToken,
    qualification_job_roles,
    qualification_requirements,
)
from laurel.models.base import table_of

MEMBER_COUNTS = (1_000, 10_000, 100_000)
TYPES, ROLES, REQUIRED_PER_QUALIFICATION, RECORDS_PER_MEMBER = 50, 5, 6, 10
CHUNK = 5_000
RUNS = 5


@dataclass(frozen=True)
class GapFigures:
    members: int
    records: int
    generate_seconds: float
    report_ms: float
    response_mib: float


class Generator:
    """Rows for one organization: types, roles, qualifications, members and their records."""

    def __init__(self, organization_id: str, members: int) -> None:
        self.organization_id = organization_id
        self.members = members
        self.rng = random.Random(members)
        now = utc_now()
        self.stamp = {"created_at": now, "updated_at": now}
        self.today = now.date()

    def _owned(self, count: int, **fields: str) -> list[dict[str, Any]]:
        return [
            {"id": new_id(), "organization_id": self.organization_id, **self.stamp}
            | {name: value.format(n=n) for name, value in fields.items()}
            for n in range(count)
        ]

    def rows(self, manager_user: str) -> dict[Table, list[dict[str, Any]]]:
        types = self._owned(
            TYPES, slug="type-{n}", title="Type {n}", scope="organization", status="active"
        )
        roles = self._owned(ROLES, name="Role {n}")
        qualifications = self._owned(ROLES, name="Qualification {n}")
        requirements = [
            {"qualification_id": q["id"], "certification_type_id": t["id"]}
            for q in qualifications
            for t in self.rng.sample(types, REQUIRED_PER_QUALIFICATION)
        ]
        links = [
            {"qualification_id": q["id"], "job_role_id": r["id"]}
            for q, r in zip(qualifications, roles, strict=True)
        ]
        people = self._people(manager_user, [r["id"] for r in roles], [t["id"] for t in types])
        return {
            table_of(CertificationType): types,
            table_of(JobRole): roles,
            table_of(Qualification): qualifications,
            qualification_requirements: requirements,
            qualification_job_roles: links,
            **people,
        }

    def _people(
        self, manager_user: str, role_ids: list[str], type_ids: list[str]
    ) -> dict[Table, list[dict[str, Any]]]:
        users, memberships, assignments, records = [], [], [], []
        for n in range(self.members):
            user_id, member_id = (manager_user if n == 0 else new_id()), new_id()
            if n:
                email = f"m{n}.{self.organization_id}@example.org"
                users.append({"id": user_id, "email": email, "display_name": f"M {n}"} | self.stamp)
            role = "manager" if n == 0 else "member"
            memberships.append(
                {"id": member_id, "organization_id": self.organization_id, "user_id": user_id}
                | {"role": role, "status": "active", "is_primary": True, **self.stamp}
            )
            assignments.append(
                {"id": new_id(), "organization_member_id": member_id, "is_primary": True}
                | {"job_role_id": self.rng.choice(role_ids), "assigned_at": utc_now(), **self.stamp}
            )
            records += [
                self._record(member_id, user_id, type_ids) for _ in range(RECORDS_PER_MEMBER)
            ]
        return {
            table_of(User): users,
            table_of(Membership): memberships,
            table_of(JobRoleAssignment): assignments,
            table_of(CertificationRecord): records,
        }

    def _record(self, member_id: str, user_id: str, type_ids: list[str]) -> dict[str, Any]:
        rng = self.rng
        return {
            "id": new_id(),
            "organization_id": self.organization_id,
            "organization_member_id": member_id,
            "user_id": user_id,
            "certification_type_id": rng.choice(type_ids),
            "lifecycle_status": "revoked" if rng.random() < 0.1 else "active",
            "source": "import",
            "verification_status": "unverified",
            "issued_on": self.today - timedelta(days=rng.randint(0, 700)),
            "expires_on": self.today + timedelta(days=rng.randint(-60, 700)),
            **self.stamp,
        }


async def _generate(database: Database, members: int) -> tuple[str, str]:
    """A fresh organization with `members` members; returns its id and a manager's token."""
    organization_id, manager_user, token = new_id(), new_id(), generate_token("laurel_pat_")
    stamp = {"created_at": utc_now(), "updated_at": utc_now()}
    async with database.sessions() as session, session.begin():
        organization = {"id": organization_id, "name": f"Gap {members}", "plan": "premium"}
        await session.execute(insert(table_of(Organization)), [organization | stamp])
        email = f"manager-{organization_id}@example.org"
        user = {"id": manager_user, "email": email, "display_name": "Manager"}
        await session.execute(insert(table_of(User)), [user | stamp])
        personal = {"id": new_id(), "user_id": manager_user, "kind": "personal", "name": "bench"}
        secret = {"scopes": "qualifications:read", "token_hash": hash_token(token)}
        await session.execute(insert(table_of(UserToken)), [personal | secret | stamp])
    for table, rows in Generator(organization_id, members).rows(manager_user).items():
        for start in range(0, len(rows), CHUNK):
            async with database.sessions() as session, session.begin():
                await session.execute(insert(table), rows[start : start + CHUNK])
    return organization_id, token


async def _time_report(settings: Settings, organization_id: str, token: str) -> tuple[float, int]:
    app = create_app(settings)
    path = f"/v1/organizations/{uuid_of(organization_id)}/qualification-gaps"
    headers = {"Authorization": f"Bearer {token}"}
    timings, size = [], 0
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://x"
    ) as http:
        for _ in range(RUNS + 1):
            started = time.perf_counter()
            response = await http.get(path, headers=headers)
            timings.append(time.perf_counter() - started)
            response.raise_for_status()
            size = len(response.content)
    await app.state.database.dispose()
    return statistics.median(timings[1:]) * 1000, size


async def _measure(database_url: str, counts: tuple[int, ...]) -> list[GapFigures]:
    settings = Settings(env=Environment.testing, database_url=database_url,
                        rate_limit="100000000/minute", log_level="WARNING")  # fmt: skip
    database = Database.from_settings(settings)
    figures = []
    try:
        for members in counts:
            started = time.perf_counter()
            organization_id, token = await _generate(database, members)
            generated = time.perf_counter() - started
            milliseconds, size = await _time_report(settings, organization_id, token)
            figures.append(GapFigures(members, members * RECORDS_PER_MEMBER, generated,
                                      milliseconds, size / 2**20))  # fmt: skip
            print(f"gap report, {members:,} members: {milliseconds:.0f} ms", file=sys.stderr)
    finally:
        await database.dispose()
    return figures


def measure_gap_reports(
    database_url: str, counts: tuple[int, ...] = MEMBER_COUNTS
) -> list[GapFigures]:
    return asyncio.run(_measure(database_url, counts))


def report(figures: list[GapFigures]) -> str:
    lines = [
        "| gap report, whole organization | records | ms (median) | ms per 1,000 members "
        "| response |",
        "|---|---:|---:|---:|---:|",
    ]
    for f in figures:
        lines.append(
            f"| {f.members:,} members | {f.records:,} | {f.report_ms:,.0f} | "
            f"{f.report_ms / f.members * 1000:.1f} ms | {f.response_mib:.1f} MiB |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import tempfile

    from laurel.migrate import upgrade_database

    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{workdir}/gap.db"
        upgrade_database(url)
        print(
            report(measure_gap_reports(url, tuple(int(n) for n in sys.argv[1:]) or MEMBER_COUNTS))
        )
