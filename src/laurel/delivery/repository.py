"""All SQL of the transactional outbox: jobs written beside the change, claimed by workers."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.ids import new_id
from laurel.kit.pagination import PageParams, PageResult, paginate
from laurel.models import DeliveryAttempt, JobStatus, OutboxJob
from laurel.models.base import table_of

_jobs, _attempts = table_of(OutboxJob), table_of(DeliveryAttempt)


@dataclass(frozen=True)
class Settlement:
    """How a job stands after an attempt: delivered, dead, or pending until `next_attempt_at`."""

    status: JobStatus
    attempts: int
    error: str | None
    at: datetime
    next_attempt_at: datetime | None = None


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, jobs: list[dict[str, Any]]) -> None:
        if jobs:
            await self.session.execute(insert(_jobs), jobs)

    async def claim_due(
        self, worker_id: str, now: datetime, lease: timedelta, limit: int
    ) -> list[Any]:
        """Lease up to `limit` due jobs to this worker; no other worker can take them meanwhile.

        On PostgreSQL `FOR UPDATE SKIP LOCKED` lets workers claim side by side without waiting on
        each other; SQLite has one writer at a time, which serializes claims by itself.
        """
        due = (
            select(_jobs.c.id)
            .where(
                _jobs.c.status == JobStatus.pending,
                _jobs.c.next_attempt_at <= now,
                or_(_jobs.c.locked_until.is_(None), _jobs.c.locked_until < now),
            )
            .order_by(_jobs.c.next_attempt_at, _jobs.c.id)
            .limit(limit)
        )
        if self.session.bind is not None and self.session.bind.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = list((await self.session.execute(due)).scalars())
        if not ids:
            return []
        await self.session.execute(
            update(_jobs)
            .where(_jobs.c.id.in_(ids))
            .values(locked_by=worker_id, locked_until=now + lease)
        )
        claimed = select(_jobs).where(_jobs.c.id.in_(ids)).order_by(_jobs.c.id)
        return list((await self.session.execute(claimed)).all())

    async def renew_leases(self, job_ids: list[str], worker_id: str, until: datetime) -> set[str]:
        """Extend this worker's lease on those of `job_ids` it still holds; their ids.

        A job missing from the answer was taken by another worker once its lease ran out (or
        settled by it since): this worker must not run it.
        """
        if not job_ids:
            return set()
        renewed = await self.session.execute(
            update(_jobs)
            .where(
                _jobs.c.id.in_(job_ids),
                _jobs.c.locked_by == worker_id,
                _jobs.c.status == JobStatus.pending,
            )
            .values(locked_until=until)
            .returning(_jobs.c.id)
        )
        return set(renewed.scalars())

    async def finish(self, job_id: str, worker_id: str, settlement: Settlement) -> None:
        values: dict[str, Any] = {
            "status": settlement.status,
            "attempts": settlement.attempts,
            "last_error": settlement.error,
            "locked_by": None,
            "locked_until": None,
        }
        if settlement.next_attempt_at is not None:
            values["next_attempt_at"] = settlement.next_attempt_at
        if settlement.status == JobStatus.delivered:
            values["delivered_at"] = settlement.at
        # Only the worker holding the lease may settle the job.
        await self.session.execute(
            update(_jobs)
            .where(_jobs.c.id == job_id, _jobs.c.locked_by == worker_id)
            .values(**values)
        )

    async def record_attempt(
        self,
        job_id: str,
        *,
        at: datetime,
        status_code: int | None,
        error: str | None,
        duration_ms: int,
    ) -> None:
        await self.session.execute(
            insert(_attempts).values(
                id=new_id(),
                job_id=job_id,
                attempted_at=at,
                status_code=status_code,
                error=error,
                duration_ms=duration_ms,
            )
        )

    async def list_jobs(self, status: str | None, limit: int) -> list[Any]:
        statement = select(_jobs).order_by(_jobs.c.id.desc()).limit(limit)
        if status is not None:
            statement = statement.where(_jobs.c.status == status)
        return list((await self.session.execute(statement)).all())

    async def get(self, job_id: str) -> Any:
        return (await self.session.execute(select(_jobs).where(_jobs.c.id == job_id))).first()

    async def page_for_endpoint(
        self, organization_id: str, endpoint_id: str, params: PageParams
    ) -> PageResult[Any]:
        statement = select(_jobs).where(
            _jobs.c.organization_id == organization_id, _jobs.c.endpoint_id == endpoint_id
        )
        return await paginate(self.session, statement, _jobs.c.id, params)

    async def attempts_of(self, job_ids: list[str]) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {job_id: [] for job_id in job_ids}
        if job_ids:
            statement = (
                select(_attempts)
                .where(_attempts.c.job_id.in_(job_ids))
                .order_by(_attempts.c.attempted_at, _attempts.c.id)
            )
            for row in await self.session.execute(statement):
                found[row.job_id].append(row)
        return found

    async def requeue(
        self, organization_id: str, endpoint_id: str, job_id: str, now: datetime
    ) -> bool:
        """Send a settled delivery (delivered or dead) once more, as soon as a worker is free;
        False when the organization's endpoint has no such settled job."""
        requeued = await self.session.execute(
            update(_jobs)
            .where(
                _jobs.c.id == job_id,
                _jobs.c.organization_id == organization_id,
                _jobs.c.endpoint_id == endpoint_id,
                _jobs.c.status != JobStatus.pending,
            )
            .values(
                status=JobStatus.pending, next_attempt_at=now, locked_by=None, locked_until=None
            )
            .returning(_jobs.c.id)
        )
        return requeued.first() is not None
