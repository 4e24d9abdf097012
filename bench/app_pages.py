"""The web app's gap report page at scale, beside the hello-world route.

`measure()` generates an organization of 10,000 members with bench/records.py's generator (50
certification types, 5 job roles each with a qualification of 6 required types, 10 records per
member), signs its manager in (a real web session), and times, in process over ASGI, the first
page of `/app/records/gaps`, a page filtered by job role, a page filtered by a member search, and
`GET /healthz` the same way: p50 and p99 of sequential requests after a warm-up.
"""

import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass

import httpx
from sqlalchemy import select

import records  # bench/records.py: this script's folder is on sys.path
from laurel.app import create_app
from laurel.config import Environment, Settings
from laurel.db import Database
from laurel.kit.timestamps import utc_now
from laurel.migrate import upgrade_database
from laurel.models import JobRole, Membership, Role
from laurel.webapp.sessions import SESSION_COOKIE, Timeouts, start_session

MEMBERS = 10_000
REQUESTS = 200


@dataclass(frozen=True)
class PageFigures:
    route: str
    p50_ms: float
    p99_ms: float


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


async def _time(http: httpx.AsyncClient, route: str, path: str) -> PageFigures:
    for _ in range(5):
        (await http.get(path)).raise_for_status()
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = await http.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    percentiles = statistics.quantiles(timings, n=100)
    return PageFigures(route, statistics.median(timings), percentiles[98])


async def _measure(database_url: str, members: int) -> list[PageFigures]:
    settings = Settings(env=Environment.testing, database_url=database_url,
                        rate_limit="100000000/minute", log_level="WARNING")  # fmt: skip
    database = Database.from_settings(settings)
    try:
        organization_id, _ = await records._generate(database, members)
        cookie = await _signed_in_cookie(database, settings, organization_id)
        role = await _a_role(database, organization_id)
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
        ]
    await app.state.database.dispose()
    return figures


def measure(members: int = MEMBERS) -> tuple[int, list[PageFigures]]:
    """On a fresh SQLite database (the `make serve` default)."""
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{workdir}/app.db"
        upgrade_database(url)
        return members, asyncio.run(_measure(url, members))


def report(measured: tuple[int, list[PageFigures]]) -> str:
    members, figures = measured
    lines = [
        f"### Web app: the gap report page, {members:,} members (SQLite, in process over ASGI, "
        f"{REQUESTS} sequential requests each)",
        "",
        "| page | p50 ms | p99 ms |",
        "|---|---:|---:|",
    ]
    lines += [f"| {f.route} | {f.p50_ms:.1f} | {f.p99_ms:.1f} |" for f in figures]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(report(measure(int(sys.argv[1]) if len(sys.argv) > 1 else MEMBERS)))
