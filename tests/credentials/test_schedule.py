"""Scheduling: a draft issued and sent by the worker at `scheduledAt`, moved, cancelled, raced."""

import asyncio
import json
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from laurel.config import Settings
from laurel.credentials.tasks import issue_scheduled
from laurel.db import Database
from laurel.kit.timestamps import format_timestamp, utc_now
from laurel.models import OutboxJob
from laurel.worker import DeliveryWorker
from tests.conftest import CertifierClient
from tests.credentials.conftest import create_credential
from tests.delivery.conftest import deliver_due
from tests.fixtures.processes import free_port

TODAY = datetime.now(UTC).date()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Webhook endpoints on loopback, so that the events each change queues can be checked.
    return settings.model_copy(update={"webhooks_allow_private_addresses": True})


def ahead(delta: timedelta) -> str:
    return format_timestamp(utc_now() + delta)


async def schedule(
    api: CertifierClient, credential_id: object, at: str, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    return await api.request(
        "POST",
        f"/v1/credentials/{credential_id}/schedule",
        json={"scheduledAt": at},
        headers=headers,
    )


async def subscribe(api: CertifierClient, *events: str) -> None:
    # Nothing listens there: these tests read the queued events in the outbox.
    url = f"http://127.0.0.1:{free_port()}/hooks"
    body = {"url": url, "eventTypes": list(events)}
    response = await api.request("POST", "/v1/webhooks", json=body)
    assert response.status_code == 200, response.text


async def jobs_of(database: Database, kind: str | None = None) -> list[Any]:
    statement = select(OutboxJob).order_by(OutboxJob.id)
    if kind is not None:
        statement = statement.where(OutboxJob.kind == kind)
    async with database.sessions() as session:
        return list((await session.scalars(statement)).all())


def events_of(jobs: list[Any]) -> list[tuple[str, str]]:
    """(event type, the credential's status in it) of each webhook job."""
    return [
        (job.event_type, json.loads(job.payload["body"])["data"]["credential"]["status"])
        for job in jobs
        if job.kind == "webhook"
    ]


async def make_scheduled_issues_due(database: Database) -> None:
    async with database.sessions() as session, session.begin():
        await session.execute(
            update(OutboxJob)
            .where(OutboxJob.kind == "issue_scheduled")
            .values(next_attempt_at=utc_now())
        )


async def status_of(api: CertifierClient, credential_id: object) -> str:
    response = await api.request("GET", f"/v1/credentials/{credential_id}")
    return str(response.json()["status"])


async def search(api: CertifierClient, status: str) -> set[str]:
    body = {"filter": {"status": {"equals": status}}, "limit": 100}
    response = await api.request("POST", "/v1/credentials/search", json=body)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["data"]}


async def test_a_scheduled_draft_shows_scheduled_in_get_and_search(
    api: CertifierClient, group_id: str, database: Database
) -> None:
    await subscribe(api, "credential.updated")
    draft = await create_credential(api, group_id)
    plain = await create_credential(api, group_id)
    future = await create_credential(
        api, group_id, issueDate=(TODAY + timedelta(days=3)).isoformat()
    )
    dated = (await api.request("POST", f"/v1/credentials/{future['id']}/issue")).json()
    assert dated["status"] == "scheduled", "the older meaning: issued, with a future issue date"
    at = ahead(timedelta(days=2))

    response = await schedule(api, draft["id"], at)

    assert response.status_code == 200, response.text
    scheduled = response.json()
    assert scheduled["status"] == "scheduled"
    assert list(scheduled) == list(draft), "the credential's wire shape gains no field"
    assert await status_of(api, draft["id"]) == "scheduled"
    assert await search(api, "scheduled") == {draft["id"], future["id"]}
    assert await search(api, "draft") == {plain["id"]}
    patched = await api.request(
        "PATCH", f"/v1/credentials/{draft['id']}", json={"recipient": {"name": "Ada King"}}
    )
    assert patched.json()["status"] == "scheduled", "a change keeps the schedule"
    (job,) = await jobs_of(database, "issue_scheduled")
    assert job.payload == {"credential_id": draft["id"], "scheduled_at": at}
    assert format_timestamp(job.next_attempt_at) == at
    assert events_of(await jobs_of(database)) == [
        ("credential.updated", "scheduled"),
        ("credential.updated", "scheduled"),
    ]


@pytest.mark.parametrize(
    "value",
    [
        format_timestamp(utc_now() - timedelta(minutes=1)),
        format_timestamp(utc_now() + timedelta(days=400)),
        "2026-12-01T09:00:00",  # no zone
        "2026-12-01",
        "2026-12-01 09:00:00Z",
        "2026-12-01T09:00Z",
        "next tuesday",
        "2026-13-01T09:00:00Z",
        1796115600,
        None,
    ],
)
async def test_a_bad_schedule_is_a_400_naming_scheduled_at(
    api: CertifierClient, group_id: str, database: Database, value: object
) -> None:
    draft = await create_credential(api, group_id)
    response = await api.request(
        "POST", f"/v1/credentials/{draft['id']}/schedule", json={"scheduledAt": value}
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("validation_error", "scheduledAt")
    assert await status_of(api, draft["id"]) == "draft"
    assert await jobs_of(database, "issue_scheduled") == []


async def test_a_schedule_needs_a_body_naming_the_moment(
    api: CertifierClient, group_id: str
) -> None:
    draft = await create_credential(api, group_id)
    response = await api.request("POST", f"/v1/credentials/{draft['id']}/schedule", json={})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "scheduledAt"


async def test_only_drafts_are_scheduled_and_only_scheduled_ones_unscheduled(
    api: CertifierClient, group_id: str
) -> None:
    issued = await create_credential(api, group_id)
    await api.request("POST", f"/v1/credentials/{issued['id']}/issue")
    future = await create_credential(
        api, group_id, issueDate=(TODAY + timedelta(days=3)).isoformat()
    )
    await api.request("POST", f"/v1/credentials/{future['id']}/issue")
    draft = await create_credential(api, group_id)

    for credential_id in (issued["id"], future["id"]):
        response = await schedule(api, credential_id, ahead(timedelta(hours=1)))
        assert response.status_code == 409, response.text
        assert response.json()["error"]["code"] == "conflict"
    for credential_id in (issued["id"], future["id"], draft["id"]):
        response = await api.request("DELETE", f"/v1/credentials/{credential_id}/schedule")
        assert response.status_code == 409, response.text
        assert response.json()["error"]["code"] == "conflict"


async def test_unscheduling_makes_a_draft_and_the_queued_issue_does_nothing(
    api: CertifierClient, group_id: str, settings: Settings, database: Database
) -> None:
    draft = await create_credential(api, group_id)
    await schedule(api, draft["id"], ahead(timedelta(days=1)))

    response = await api.request("DELETE", f"/v1/credentials/{draft['id']}/schedule")

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "draft"
    assert await search(api, "draft") == {draft["id"]}
    again = await api.request("DELETE", f"/v1/credentials/{draft['id']}/schedule")
    assert again.status_code == 409
    await make_scheduled_issues_due(database)
    assert await deliver_due(database, settings) == 1
    assert await status_of(api, draft["id"]) == "draft"
    assert [job.kind for job in await jobs_of(database)] == ["issue_scheduled"]


async def test_rescheduling_moves_the_moment_and_outdates_the_first_job(
    api: CertifierClient, group_id: str, settings: Settings, database: Database
) -> None:
    draft = await create_credential(api, group_id)
    await schedule(api, draft["id"], ahead(timedelta(days=1)))
    later = (utc_now() + timedelta(days=5)).astimezone(timezone(timedelta(hours=2)))
    moved = await schedule(api, draft["id"], later.isoformat(timespec="milliseconds"))
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "scheduled"
    first, second = await jobs_of(database, "issue_scheduled")
    assert second.payload["scheduled_at"] == format_timestamp(later), "kept in UTC"

    async with database.sessions() as session, session.begin():
        due = update(OutboxJob).where(OutboxJob.id == first.id)
        await session.execute(due.values(next_attempt_at=utc_now()))
    assert await deliver_due(database, settings) == 1
    assert await status_of(api, draft["id"]) == "scheduled", "the first moment is gone"
    assert await jobs_of(database, "sign") == []

    await make_scheduled_issues_due(database)
    assert await deliver_due(database, settings) == 1
    assert await status_of(api, draft["id"]) == "issued"


async def test_issuing_a_scheduled_credential_now_clears_its_schedule(
    api: CertifierClient, group_id: str, settings: Settings, database: Database
) -> None:
    draft = await create_credential(api, group_id)
    await schedule(api, draft["id"], ahead(timedelta(days=1)))

    issued = await api.request("POST", f"/v1/credentials/{draft['id']}/issue")

    assert issued.status_code == 200, issued.text
    assert issued.json()["status"] == "issued"
    assert await search(api, "scheduled") == set()
    await make_scheduled_issues_due(database)
    await deliver_due(database, settings)
    kinds = Counter(job.kind for job in await jobs_of(database))
    assert kinds == {"issue_scheduled": 1, "sign": 1}, "issued once, and not sent"


async def test_the_worker_issues_and_sends_when_the_time_comes(
    api: CertifierClient, group_id: str, settings: Settings, database: Database
) -> None:
    draft = await create_credential(api, group_id)
    no_email = await create_credential(api, group_id, recipient={"name": "Grace Hopper"})
    # An hour ahead, then made due: a moment a second away came too soon on a loaded machine.
    soon = utc_now() + timedelta(hours=1)
    for credential in (draft, no_email):
        response = await schedule(api, credential["id"], format_timestamp(soon))
        assert response.status_code == 200, response.text
    await subscribe(api, "credential.issued", "credential.sent", "credential.updated")
    assert await deliver_due(database, settings) == 0, "not yet"

    await make_scheduled_issues_due(database)
    assert await deliver_due(database, settings) == 2

    for credential in (draft, no_email):
        fetched = (await api.request("GET", f"/v1/credentials/{credential['id']}")).json()
        assert fetched["status"] == "issued"
        assert fetched["issueDate"] == credential["issueDate"], "the issue date is kept"
    jobs = await jobs_of(database)
    (email,) = [job for job in jobs if job.kind == "email"]
    assert email.payload["to"] == "ada@example.org"
    assert email.status == "held", "no SMTP server configured: the email is kept"
    assert sorted(job.payload["credential_id"] for job in jobs if job.kind == "sign") == sorted(
        [draft["id"], no_email["id"]]
    )
    assert sorted(events_of(jobs)) == [
        ("credential.issued", "issued"),
        ("credential.issued", "issued"),
        ("credential.sent", "issued"),
    ], "no credential.sent for the credential without an email"
    vc = await api.request("GET", f"/v1/credentials/{draft['id']}/vc")
    assert vc.status_code == 200


async def _arrange_due_schedule(api: CertifierClient, group_id: str, database: Database) -> str:
    draft = await create_credential(api, group_id)
    await schedule(api, draft["id"], ahead(timedelta(hours=1)))
    await subscribe(api, "credential.issued", "credential.sent")
    await make_scheduled_issues_due(database)
    return str(draft["id"])


async def _assert_issued_once(api: CertifierClient, database: Database, credential_id: str) -> None:
    assert await status_of(api, credential_id) == "issued"
    jobs = await jobs_of(database)
    assert Counter(job.kind for job in jobs) == {
        "issue_scheduled": 1,
        "sign": 1,
        "email": 1,
        "webhook": 2,
    }
    assert sorted(events_of(jobs)) == [
        ("credential.issued", "issued"),
        ("credential.sent", "issued"),
    ]


async def test_two_workers_racing_for_a_due_schedule_issue_it_once(
    api: CertifierClient, group_id: str, settings: Settings, database: Database
) -> None:
    credential_id = await _arrange_due_schedule(api, group_id, database)
    workers = [DeliveryWorker(database, settings, worker_id=f"racer-{n}") for n in range(2)]
    try:
        handled = await asyncio.gather(*(worker.run_once() for worker in workers))
    finally:
        for worker in workers:
            await worker.http.aclose()
    assert sum(handled) >= 1
    await _assert_issued_once(api, database, credential_id)


async def test_one_job_run_twice_at_once_issues_once(
    api: CertifierClient, group_id: str, settings: Settings, database: Database
) -> None:
    """As when a lease runs out while its worker is still at the job: the update decides."""
    credential_id = await _arrange_due_schedule(api, group_id, database)
    (job,) = await jobs_of(database, "issue_scheduled")

    async def run_the_job() -> bool:
        async with database.sessions() as session, session.begin():
            return await issue_scheduled(session, settings, job.organization_id, job.payload)

    assert sorted(await asyncio.gather(run_the_job(), run_the_job())) == [False, True]
    await _assert_issued_once(api, database, credential_id)


async def test_idempotent_schedule(api: CertifierClient, group_id: str, database: Database) -> None:
    draft = await create_credential(api, group_id)
    at = ahead(timedelta(days=1))
    headers = {"Idempotency-Key": "schedule-1"}
    first = await schedule(api, draft["id"], at, headers=headers)
    second = await schedule(api, draft["id"], at, headers=headers)
    assert second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert len(await jobs_of(database, "issue_scheduled")) == 1


async def test_another_organizations_credential_is_not_found(
    api: CertifierClient, other_api: CertifierClient, group_id: str
) -> None:
    draft = await create_credential(api, group_id)
    at = ahead(timedelta(days=1))
    for credential_id in (draft["id"], "not-an-id"):
        assert (await schedule(other_api, credential_id, at)).status_code == 404
    await schedule(api, draft["id"], at)
    path = f"/v1/credentials/{draft['id']}/schedule"
    assert (await other_api.request("DELETE", path)).status_code == 404
    assert await status_of(api, draft["id"]) == "scheduled"
