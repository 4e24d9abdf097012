"""create-issue-send and `laurel credentials import --send` set off the same jobs for the same
credential: both build them with `credentials.delivery.CredentialJobs`."""

from pathlib import Path
from typing import Any

import orjson
import pytest

from laurel.config import Settings
from laurel.credentials.importer import plan_import, run_import
from laurel.db import Database
from laurel.delivery.repository import OutboxRepository
from laurel.kit.ids import new_id
from laurel.webhooks.repository import WebhookRepository
from tests.conftest import CertifierClient, Tenant
from tests.credentials.test_import import write_csv

EVENTS = ["credential.created", "credential.issued", "credential.sent"]


async def subscribe(database: Database, organization_id: str) -> str:
    """A webhook endpoint that wants every event issuing and sending cause; returns its id."""
    endpoint_id = new_id()
    async with database.sessions() as session, session.begin():
        await WebhookRepository(session).insert(
            {
                "id": endpoint_id,
                "organization_id": organization_id,
                "url": "https://hooks.example.org/laurel",
                "event_types": EVENTS,
                "secret_encrypted": "unused",
            }
        )
    return endpoint_id


def _about(job: Any, credential_id: str) -> bool:
    if job.kind == "webhook":
        body = orjson.loads(job.payload["body"])
        return bool(body["data"]["resource"]["id"] == credential_id)
    return bool(job.payload["credential_id"] == credential_id)


def _comparable(job: Any, credential: dict[str, Any]) -> tuple[str, str, str | None, str, Any]:
    """The job without what differs between two credentials by nature: ids and moments."""
    payload = dict(job.payload)
    if job.kind == "webhook":
        event = orjson.loads(payload.pop("body"))
        assert set(event) == {"id", "type", "createdAt", "data"}
        payload["event"] = {"type": event["type"], "data": event["data"]}
    if job.kind == "email":
        assert payload.pop("message_id").startswith(f"<{credential['id']}.")
    return job.kind, job.event_type, job.endpoint_id, job.status, _anonymous(payload, credential)


def _anonymous(value: Any, credential: dict[str, Any]) -> Any:
    """`value` with the credential's own ids and moments replaced by their names."""
    text = orjson.dumps(value).decode()
    own = {name: credential[name] for name in ("id", "publicId", "createdAt", "updatedAt")}
    for name, own_value in {**own, "recipient.id": credential["recipient"]["id"]}.items():
        text = text.replace(own_value, f"<{name}>")
    return orjson.loads(text)


async def jobs_of(database: Database, credential: dict[str, Any]) -> list[Any]:
    async with database.sessions() as session:
        jobs = await OutboxRepository(session).list_jobs(None, 500)
    return sorted(
        (_comparable(job, credential) for job in jobs if _about(job, credential["id"])),
        key=repr,
    )


@pytest.mark.parametrize("email", ["ada@example.org", None])
async def test_create_issue_send_and_the_importer_queue_the_same_jobs(
    api: CertifierClient,
    group_id: str,
    tenant: Tenant,
    settings: Settings,
    database: Database,
    tmp_path: Path,
    email: str | None,
) -> None:
    endpoint_id = await subscribe(database, tenant.organization_id)
    template = await api.request(
        "POST",
        "/v1/email-templates",
        json={"name": "Yours", "subject": "For [recipient.name]", "body": "Hello"},
    )
    assert template.status_code == 200, template.text
    patched = await api.request(
        "PATCH", f"/v1/groups/{group_id}", json={"emailTemplateId": template.json()["id"]}
    )
    assert patched.status_code == 200, patched.text

    recipient = {"name": "Ada Lovelace", **({"email": email} if email else {})}
    created = await api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={"groupId": group_id, "recipient": recipient, "issueDate": "2024-01-02"},
    )
    assert created.status_code == 200, created.text
    by_api = created.json()

    csv_file = write_csv(
        tmp_path / "one.csv", [f"Ada Lovelace,{email or ''},2024-01-02"], "name,email,issue_date"
    )
    plan = await plan_import(database, tenant.organization_id, csv_file)
    assert plan.error_count == 0, plan.errors
    result = await run_import(database, settings, plan, group_id, issue=True, send=True)
    assert (result.created, result.not_emailed) == (1, 0 if email else 1)
    listed = (await api.request("GET", "/v1/credentials")).json()["data"]
    (by_import,) = [found for found in listed if found["id"] != by_api["id"]]
    assert _anonymous(by_import, by_import) == _anonymous(by_api, by_api), "the same credential"

    api_jobs = await jobs_of(database, by_api)
    assert api_jobs == await jobs_of(database, by_import)
    expected: list[tuple[str, str, str | None]] = [("sign", "credential.issued", None)]
    expected += [("webhook", event, endpoint_id) for event in EVENTS[: 3 if email else 2]]
    if email:
        expected.append(("email", "credential.sent", None))
    assert sorted(job[:3] for job in api_jobs) == sorted(expected)
