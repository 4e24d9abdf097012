"""A recipient with a name and no email: create-issue-send and the importer issue the credential
and send nothing (and say so); `send` refuses it before writing anything."""

from pathlib import Path
from typing import Any

import pytest

from laurel.config import Settings
from laurel.db import Database
from laurel.delivery.repository import OutboxRepository
from laurel.kit.ids import new_id
from laurel.webhooks.repository import WebhookRepository
from tests.conftest import CertifierClient, Tenant
from tests.credentials.conftest import create_credential
from tests.credentials.test_import import run_cli, write_csv

SKIPPED = 'skipped; reason="no recipient email"'
EVENTS = ["credential.created", "credential.issued", "credential.sent"]


@pytest.fixture
async def subscribed(database: Database, tenant: Tenant) -> None:
    """A webhook endpoint that wants every event these tests may cause."""
    async with database.sessions() as session, session.begin():
        await WebhookRepository(session).insert(
            {
                "id": new_id(),
                "organization_id": tenant.organization_id,
                "url": "https://hooks.example.org/laurel",
                "event_types": EVENTS,
                "secret_encrypted": "unused",
            }
        )


async def outbox(database: Database) -> list[Any]:
    async with database.sessions() as session:
        return list(reversed(await OutboxRepository(session).list_jobs(None, 500)))


def kinds(jobs: list[Any]) -> list[tuple[str, str]]:
    return sorted((job.kind, job.event_type) for job in jobs)


async def test_create_issue_send_issues_a_name_only_credential_without_email(
    api: CertifierClient, group_id: str, database: Database, subscribed: None
) -> None:
    response = await api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={"groupId": group_id, "recipient": {"name": "Ada Lovelace"}},
    )
    assert response.status_code == 200, response.text
    assert response.headers["Laurel-Delivery"] == SKIPPED
    credential = response.json()
    assert credential["status"] == "issued"
    assert credential["recipient"]["name"] == "Ada Lovelace"
    assert credential["recipient"]["email"] is None
    fetched = await api.request("GET", f"/v1/credentials/{credential['id']}")
    assert fetched.json() == credential
    assert kinds(await outbox(database)) == [
        ("sign", "credential.issued"),
        ("webhook", "credential.created"),
        ("webhook", "credential.issued"),
    ], "no email, no credential.sent"


async def test_with_an_email_nothing_is_skipped(
    api: CertifierClient, group_id: str, database: Database, subscribed: None
) -> None:
    response = await api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={"groupId": group_id, "recipient": {"name": "Ada", "email": "ada@example.org"}},
    )
    assert response.status_code == 200
    assert "Laurel-Delivery" not in response.headers
    assert kinds(await outbox(database)) == [
        ("email", "credential.sent"),
        ("sign", "credential.issued"),
        ("webhook", "credential.created"),
        ("webhook", "credential.issued"),
        ("webhook", "credential.sent"),
    ]


async def test_a_replayed_create_issue_send_says_it_skipped_the_email_too(
    api: CertifierClient, group_id: str, database: Database
) -> None:
    body = {"groupId": group_id, "recipient": {"name": "Ada Lovelace"}}
    headers = {"Idempotency-Key": "name-only-1"}
    first = await api.request(
        "POST", "/v1/credentials/create-issue-send", json=body, headers=headers
    )
    again = await api.request(
        "POST", "/v1/credentials/create-issue-send", json=body, headers=headers
    )
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["Laurel-Delivery"] == first.headers["Laurel-Delivery"] == SKIPPED
    assert len((await api.request("GET", "/v1/credentials")).json()["data"]) == 1


async def test_sending_a_credential_without_email_is_refused_before_any_write(
    api: CertifierClient, group_id: str, database: Database, subscribed: None
) -> None:
    credential = await create_credential(api, group_id, recipient={"name": "No Mail"})
    issued = (await api.request("POST", f"/v1/credentials/{credential['id']}/issue")).json()
    before = await outbox(database)
    for body in (None, {"deliveryMethod": "email"}):
        response = await api.request("POST", f"/v1/credentials/{credential['id']}/send", json=body)
        assert response.status_code == 400
        assert response.json()["error"] == {
            "code": "validation_error",
            "message": "recipient.email: the credential has no recipient email to send to",
            "param": "recipient.email",
        }
    assert [job.id for job in await outbox(database)] == [job.id for job in before]
    after = await api.request("GET", f"/v1/credentials/{credential['id']}")
    assert after.json() == issued, "not even updatedAt moved"


@pytest.mark.parametrize("template", ["foreign", "missing", "malformed"])
async def test_an_email_template_not_of_the_organization_is_refused_naming_the_field(
    api: CertifierClient,
    other_api: CertifierClient,
    group_id: str,
    database: Database,
    template: str,
) -> None:
    foreign = await other_api.request(
        "POST", "/v1/email-templates", json={"name": "Theirs", "subject": "S", "body": "B"}
    )
    template_id = {
        "foreign": foreign.json()["id"],
        "missing": "01hz2ej4yzdcfkq9fa78nhyj0x",
        "malformed": "not-an-id",
    }[template]
    recipient = {"name": "Ada", "email": "ada@example.org"}
    refused = await api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={"groupId": group_id, "recipient": recipient, "emailTemplateId": template_id},
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "validation_error"
    assert refused.json()["error"]["param"] == "emailTemplateId"
    assert (await api.request("GET", "/v1/credentials")).json()["data"] == [], "nothing created"

    credential = await create_credential(api, group_id)
    await api.request("POST", f"/v1/credentials/{credential['id']}/issue")
    before = await outbox(database)
    send = await api.request(
        "POST",
        f"/v1/credentials/{credential['id']}/send",
        json={"deliveryMethod": "email", "emailTemplateId": template_id},
    )
    assert send.status_code == 400
    assert send.json()["error"]["param"] == "emailTemplateId"
    assert [job.id for job in await outbox(database)] == [job.id for job in before]


async def test_the_importer_issues_rows_without_email_and_says_how_many_it_did_not_email(
    api: CertifierClient, group_id: str, settings: Settings, database: Database, tmp_path: Path,
    subscribed: None,
) -> None:  # fmt: skip
    template = await api.request(
        "POST",
        "/v1/email-templates",
        json={"name": "Import", "subject": "Imported: [recipient.name]", "body": "Hi"},
    )
    patched = await api.request(
        "PATCH", f"/v1/groups/{group_id}", json={"emailTemplateId": template.json()["id"]}
    )
    assert patched.status_code == 200
    csv_file = write_csv(
        tmp_path / "people.csv",
        ["Ada,ada@example.org,,", "Grace,,,", "Alan,alan@example.org,,", "Barbara,,,"],
        header="name,email,issue_date,expiry_date",
    )
    result = run_cli(settings, str(csv_file), "--group", group_id, "--send")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "4 created, 0 already imported, 2 not emailed (no email address)"
    )
    listed = (await api.request("GET", "/v1/credentials")).json()["data"]
    assert sorted((c["recipient"]["name"], c["status"]) for c in listed) == [
        ("Ada", "issued"), ("Alan", "issued"), ("Barbara", "issued"), ("Grace", "issued"),
    ]  # fmt: skip
    jobs = await outbox(database)
    emails = [job.payload for job in jobs if job.kind == "email"]
    assert sorted(email["to"] for email in emails) == ["ada@example.org", "alan@example.org"]
    assert sorted(email["subject"] for email in emails) == ["Imported: Ada", "Imported: Alan"]
    assert all(email["html"].startswith("<!DOCTYPE html>") for email in emails)
    sent_events = [job for job in jobs if job.event_type == "credential.sent"]
    assert sorted(job.kind for job in sent_events) == ["email", "email", "webhook", "webhook"]
    issued_events = [j for j in jobs if j.kind == "webhook" and j.event_type == "credential.issued"]
    assert len(issued_events) == 4
