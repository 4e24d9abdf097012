"""Webhooks: endpoints API, signed deliveries to a real receiver, retries, backoff, SSRF."""

import hashlib
import hmac
from datetime import timedelta
from itertools import pairwise

import pytest
from sqlalchemy import select, update

from laurel.config import Settings
from laurel.db import Database
from laurel.kit.timestamps import utc_now
from laurel.models import OutboxJob
from laurel.worker import MAX_ATTEMPTS, retry_delay
from tests.conftest import CertifierClient
from tests.delivery.conftest import WebhookReceiver, deliver_due, delivery_settings, subscribe


async def make_due(database: Database) -> None:
    async with database.sessions() as session, session.begin():
        await session.execute(update(OutboxJob).values(next_attempt_at=utc_now()))


async def test_endpoints_and_their_secret(hook_api: CertifierClient) -> None:
    created = await subscribe(hook_api, "https://example.org/hooks", "credential.issued")
    assert created["secret"].startswith("whsec_")
    shown = (await hook_api.request("GET", f"/v1/webhooks/{created['id']}")).json()
    assert "secret" not in shown
    assert shown["eventTypes"] == ["credential.issued"]
    rotated = (await hook_api.request("POST", f"/v1/webhooks/{created['id']}/rotate-secret")).json()
    assert rotated["secret"] != created["secret"]
    listing = (await hook_api.request("GET", "/v1/webhooks")).json()["data"]
    assert [w["id"] for w in listing] == [created["id"]]
    assert all("secret" not in w for w in listing)
    assert (await hook_api.request("DELETE", f"/v1/webhooks/{created['id']}")).status_code == 204
    assert (await hook_api.request("GET", f"/v1/webhooks/{created['id']}")).status_code == 404


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"url": "ftp://example.org", "eventTypes": ["credential.issued"]}, "url"),
        ({"url": "https://example.org", "eventTypes": []}, "eventTypes"),
        ({"url": "https://example.org", "eventTypes": ["credential.eaten"]}, "eventTypes[0]"),
    ],
)
async def test_endpoint_validation(
    hook_api: CertifierClient, body: dict[str, object], param: str
) -> None:
    response = await hook_api.request("POST", "/v1/webhooks", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


async def test_signed_events_reach_the_receiver(
    hook_api: CertifierClient,
    hook_settings: Settings,
    database: Database,
    webhook_receiver: WebhookReceiver,
) -> None:
    endpoint = await subscribe(
        hook_api, webhook_receiver.url, "credential.created", "credential.issued"
    )
    group = await hook_api.create_group(name="G", designIds=[await hook_api.create_design()])
    created = await hook_api.request(
        "POST", "/v1/credentials", json={"groupId": group["id"], "recipient": {"name": "Ada"}}
    )
    credential_id = created.json()["id"]
    await hook_api.request("POST", f"/v1/credentials/{credential_id}/issue")
    await hook_api.request("PATCH", f"/v1/credentials/{credential_id}", json={})  # not subscribed
    assert await deliver_due(database, hook_settings) == 3, "two events and the signing"

    events = [hook.json() for hook in webhook_receiver.received]
    assert [e["type"] for e in events] == ["credential.created", "credential.issued"]
    assert events[1]["data"]["resource"] == {"id": credential_id, "type": "credential"}
    assert events[1]["data"]["credential"]["status"] == "issued"
    secret = endpoint["secret"].encode()
    for hook in webhook_receiver.received:
        expected = hmac.new(secret, hook.body, hashlib.sha256).hexdigest()
        assert hook.headers["X-Webhook-Signature"] == expected

    deliveries = (
        await hook_api.request("GET", f"/v1/webhooks/{endpoint['id']}/deliveries")
    ).json()["data"]
    assert {d["status"] for d in deliveries} == {"delivered"}
    assert [len(d["attemptLog"]) for d in deliveries] == [1, 1]
    assert await deliver_due(database, hook_settings) == 0


async def test_a_failing_then_hanging_endpoint_is_retried_until_it_recovers(
    hook_api: CertifierClient,
    hook_settings: Settings,
    database: Database,
    webhook_receiver: WebhookReceiver,
) -> None:
    endpoint = await subscribe(hook_api, webhook_receiver.url, "credential.created")
    webhook_receiver.plan = [500, "hang", 200]
    group = await hook_api.create_group(name="G", designIds=[await hook_api.create_design()])
    await hook_api.request(
        "POST", "/v1/credentials", json={"groupId": group["id"], "recipient": {"name": "Ada"}}
    )
    path = f"/v1/webhooks/{endpoint['id']}/deliveries"
    await deliver_due(database, hook_settings)
    (delivery,) = (await hook_api.request("GET", path)).json()["data"]
    assert delivery["status"] == "pending"
    assert delivery["nextAttemptAt"] > delivery["createdAt"]
    assert await deliver_due(database, hook_settings) == 0, "waits for its backoff"

    await make_due(database)
    await deliver_due(database, hook_settings)  # the receiver hangs past the timeout
    await make_due(database)
    await deliver_due(database, hook_settings)
    (delivery,) = (await hook_api.request("GET", path)).json()["data"]
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 3
    log = delivery["attemptLog"]
    assert [a["statusCode"] for a in log] == [500, None, 200]
    assert "Timeout" in log[1]["error"]
    bodies = {hook.body for hook in webhook_receiver.received}
    assert len(bodies) == 1, "every attempt sends the same event"


async def test_a_delivery_gives_up_after_the_last_attempt(
    hook_api: CertifierClient,
    hook_settings: Settings,
    database: Database,
    webhook_receiver: WebhookReceiver,
) -> None:
    await subscribe(hook_api, webhook_receiver.url, "credential.created")
    webhook_receiver.plan = [503]
    group = await hook_api.create_group(name="G", designIds=[await hook_api.create_design()])
    await hook_api.request(
        "POST", "/v1/credentials", json={"groupId": group["id"], "recipient": {"name": "Ada"}}
    )
    async with database.sessions() as session, session.begin():
        await session.execute(update(OutboxJob).values(attempts=MAX_ATTEMPTS - 1))
    await deliver_due(database, hook_settings)
    job = await _only_job(database)
    assert job.status == "dead"
    assert job.attempts == MAX_ATTEMPTS


async def _only_job(database: Database) -> OutboxJob:
    async with database.sessions() as session:
        (job,) = (await session.scalars(select(OutboxJob))).all()
        return job


def test_backoff_grows_to_six_hours_and_spans_more_than_a_day() -> None:
    delays = [retry_delay(n) for n in range(1, MAX_ATTEMPTS)]
    assert delays[0] < timedelta(seconds=40)
    assert all(later >= earlier * 0.8 for earlier, later in pairwise(delays))
    assert max(delays) <= timedelta(hours=6, minutes=40)
    assert sum(delays, timedelta()) > timedelta(days=1)


async def test_a_name_resolving_to_a_private_address_is_refused_at_delivery_by_the_system_resolver(
    hook_api: CertifierClient,
    settings: Settings,
    database: Database,
    webhook_receiver: WebhookReceiver,
) -> None:
    await subscribe(
        hook_api, webhook_receiver.url.replace("127.0.0.1", "localhost"), "credential.created"
    )
    group = await hook_api.create_group(name="G", designIds=[await hook_api.create_design()])
    await hook_api.request(
        "POST", "/v1/credentials", json={"groupId": group["id"], "recipient": {"name": "Ada"}}
    )
    strict = delivery_settings(settings, webhooks_allow_private_addresses=False)
    await deliver_due(database, strict)
    assert webhook_receiver.received == []
    job = await _only_job(database)
    assert job.status == "pending"
    assert "non-public address" in (job.last_error or "")


async def test_deliveries_of_another_organization_are_not_found(
    hook_api: CertifierClient, other_api: CertifierClient
) -> None:
    endpoint = await subscribe(hook_api, "https://example.org/x", "credential.created")
    for method, suffix in (
        ("GET", ""),
        ("DELETE", ""),
        ("GET", "/deliveries"),
        ("POST", "/rotate-secret"),
    ):
        response = await other_api.request(method, f"/v1/webhooks/{endpoint['id']}{suffix}")
        assert response.status_code == 404
