"""The web app's gap report, credentials table and home page at scale, beside hello world.

`measure()` generates an organization of 10,000 members with bench/records.py's generator (50
certification types, 5 job roles each with a qualification of 6 required types, 10 records per
member), then gives it 100,000 credentials over 5 templates (issued, drafts, scheduled, revoked;
created over the last year) and 200,000 interactions (views, downloads, LinkedIn adds,
verifications), signs its manager in (a real web session), and times, in process over ASGI, the
first page of `/app/records/gaps`, a page filtered by job role, a page filtered by a member
search, the first page of `/app/credentials`, a page filtered by status, template and recipient
search, the home page's charts, and `GET /healthz` the same way: p50 and p99 of sequential
requests after a warm-up.
"""

import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import insert, select

import records  # bench/records.py: this script's folder is on sys.path
from laurel.app import create_app
from laurel.config import Environment, Settings
from laurel.db import Database
from laurel.kit.ids import new_id
from laurel.kit.timestamps import utc_now
from laurel.migrate import upgrade_database
from laurel.models import Credential, CredentialInteraction, Group, JobRole, Membership, Role
from laurel.models.base import table_of
from laurel.webapp.sessions import SESSION_COOKIE, Timeouts, start_session

MEMBERS = 10_000
CREDENTIALS = 100_000
TEMPLATES = 5
INTERACTIONS_PER_CREDENTIAL = 2
INTERACTION_KINDS = (
    "credential_viewed",
    "credential_viewed",
    "credential_downloaded",
    "credential_added_to_linkedin_profile",
    "credential_verified",
)
CHUNK = 5_000
REQUESTS = int(os.environ.get("BENCH_APP_REQUESTS", "200"))


@dataclass(frozen=True)
class PageFigures:
    route: str
    p50_ms: float
    p99_ms: float
    first_ms: float


async def _signed_in_cookie(database: Database, settings: Settings, organization_id: str) -> str:
    async with database.sessions() as session, session.begin():
        manager = (
            await session.scalars(
                select(Membership.user_id).where(
                    Membership.organization_id == organization_id, Membership.role == Role.manager
                )
            )
        ).one()
        started = await start_session(
            session, manager, organization_id, Timeouts.of(settings), utc_now(), None
        )
    return started.secret


async def _a_role(database: Database, organization_id: str) -> str:
    async with database.sessions() as session:
        statement = select(JobRole.id).where(JobRole.organization_id == organization_id)
        return (await session.scalars(statement.limit(1))).one()


def _credential_row(organization_id: str, groups: list[str], number: int) -> dict[str, object]:
    """Credential `number`: created `number` minutes before now (a year's worth and more);
    one in ten a draft (half of those scheduled), one in twenty revoked."""
    now = utc_now()
    created = now - timedelta(minutes=number * 5)
    draft, revoked = number % 10 == 0, number % 20 == 1
    return {
        "id": new_id(),
        "organization_id": organization_id,
        "group_id": groups[number % len(groups)],
        "public_id": f"00000000-0000-4000-8000-{number:012d}",
        "state": "draft" if draft else "issued",
        "recipient_id": new_id(),
        "recipient_name": f"Person {number}",
        "recipient_email": f"person{number}@example.org",
        "issue_date": created.date(),
        "custom_attributes": {},
        "created_at": created,
        "updated_at": created,
        "revoked_at": now if revoked else None,
        "scheduled_at": now + timedelta(days=7) if draft and number % 20 == 0 else None,
    }


async def _add_credentials(database: Database, organization_id: str, count: int) -> None:
    """`count` credentials over a few templates, and their visitors' interactions."""
    stamp = {"created_at": utc_now(), "updated_at": utc_now()}
    groups = [new_id() for _ in range(TEMPLATES)]
    async with database.sessions() as session, session.begin():
        rows = [{"id": group, "organization_id": organization_id, "name": f"Template {n}"} | stamp
                for n, group in enumerate(groups)]  # fmt: skip
        await session.execute(insert(table_of(Group)), rows)
    for start in range(0, count, CHUNK):
        credentials = [
            _credential_row(organization_id, groups, number)
            for number in range(start, min(start + CHUNK, count))
        ]
        interactions = [
            {
                "id": new_id(),
                "organization_id": organization_id,
                "credential_id": credential["id"],
                "event_type": INTERACTION_KINDS[(index + n) % len(INTERACTION_KINDS)],
                "triggered_by": "guest",
                "triggered_at": credential["created_at"] + timedelta(hours=n + 1),  # type: ignore[operator]
            }
            for index, credential in enumerate(credentials)
            if credential["state"] == "issued"
            for n in range(INTERACTIONS_PER_CREDENTIAL)
        ]
        async with database.sessions() as session, session.begin():
            await session.execute(insert(table_of(Credential)), credentials)
            await session.execute(insert(table_of(CredentialInteraction)), interactions)


async def _a_template(database: Database, organization_id: str) -> str:
    async with database.sessions() as session:
        statement = select(Group.id).where(Group.organization_id == organization_id)
        return (await session.scalars(statement.order_by(Group.name).limit(1))).one()


async def _time(http: httpx.AsyncClient, route: str, path: str) -> PageFigures:
    started = time.perf_counter()
    (await http.get(path)).raise_for_status()
    first_ms = (time.perf_counter() - started) * 1000
    for _ in range(4):
        (await http.get(path)).raise_for_status()
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = await http.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    percentiles = statistics.quantiles(timings, n=100)
    return PageFigures(route, statistics.median(timings), percentiles[98], first_ms)


async def _measure(database_url: str, members: int, credentials: int) -> list[PageFigures]:
    settings = Settings(env=Environment.testing, database_url=database_url,
                        rate_limit="100000000/minute", log_level="WARNING")  # fmt: skip
    database = Database.from_settings(settings)
    try:
        organization_id, _ = await records._generate(database, members)
        cookie = await _signed_in_cookie(database, settings, organization_id)
        role = await _a_role(database, organization_id)
        await _add_credentials(database, organization_id, credentials)
        template = await _a_template(database, organization_id)
    finally:
        await database.dispose()
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://x",
        cookies={SESSION_COOKIE: cookie},
    ) as http:
        figures = [
            await _time(http, "GET /healthz (hello world)", "/healthz"),
            await _time(http, "GET /app/records/gaps (first page)", "/app/records/gaps"),
            await _time(
                http, "GET /app/records/gaps?role= (one job role)", f"/app/records/gaps?role={role}"
            ),
            await _time(
                http, "GET /app/records/gaps?q= (member search)", "/app/records/gaps?q=M%2099"
            ),
            await _time(http, "GET /app/credentials (first page)", "/app/credentials"),
            await _time(
                http,
                "GET /app/credentials?status=&template=&q= (filtered)",
                f"/app/credentials?status=issued&template={template}&q=Person%20123",
            ),
            await _time(http, "GET /app (home: five weekly charts)", "/app"),
        ]
    await app.state.database.dispose()
    return figures


Measured = tuple[int, int, list[PageFigures]]


def measure(members: int = MEMBERS, credentials: int = CREDENTIALS) -> Measured:
    """On a fresh SQLite database (the `make serve` default)."""
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{workdir}/app.db"
        upgrade_database(url)
        return members, credentials, asyncio.run(_measure(url, members, credentials))


def report(measured: Measured) -> str:
    members, credentials, figures = measured
    hello = figures[0].p99_ms
    lines = [
        f"### Web app: gap report, credentials table and home page; {members:,} members, "
        f"{credentials:,} credentials (SQLite, in process over ASGI, {REQUESTS} sequential "
        "requests each)",
        "",
        "| page | first request ms | p50 ms | p99 ms | p99 vs hello world |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {f.route} | {f.first_ms:.1f} | {f.p50_ms:.1f} | {f.p99_ms:.1f} | "
        f"{f.p99_ms / hello:.1f}x |"
        for f in figures
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    arguments = [int(argument) for argument in sys.argv[1:3]]
    print(report(measure(*arguments)))
