"""Template changes reach Open edX without a sync: pushed to its webhook, read back by id."""

from urllib.parse import urljoin

import pytest

from laurel.config import Settings
from laurel.db import Database
from laurel.kit.errors import ValidationFailed
from laurel.kit.ids import uuid_of
from laurel.kit.outbound import system_resolver
from laurel.openedx.service import set_webhook_url
from tests.conftest import CertifierClient, Tenant
from tests.credly.conftest import OpenEdx, data
from tests.delivery.conftest import WebhookReceiver, deliver_due


async def register(database: Database, tenant: Tenant, url: str, *, allow_private: bool) -> None:
    async with database.sessions() as session, session.begin():
        await set_webhook_url(
            session,
            tenant.organization_id,
            url,
            allow_private=allow_private,
            resolver=system_resolver,
        )


async def test_created_changed_deleted_are_pushed_and_read_back(
    openedx: OpenEdx,
    certifier: CertifierClient,
    tenant: Tenant,
    database: Database,
    credly_settings: Settings,
    webhook_receiver: WebhookReceiver,
) -> None:
    await register(database, tenant, webhook_receiver.url, allow_private=True)
    design = await certifier.create_design("badge")
    group = await certifier.create_group(name="Rust 101", designIds=[design])
    response = await certifier.request(
        "PATCH", f"/v1/groups/{group['id']}", json={"name": "Rust 102"}
    )
    assert response.status_code == 200, response.text
    response = await certifier.request("DELETE", f"/v1/groups/{group['id']}")
    assert response.status_code in (200, 204), response.text

    await deliver_due(database, credly_settings)
    received = [hook.json() for hook in webhook_receiver.received]
    assert [event["event_type"] for event in received] == [
        "badge_template.created",
        "badge_template.changed",
        "badge_template.deleted",
    ]
    expected = []
    for event in received:
        assert set(event) == {"id", "organization_id", "event_type", "occurred_at"}
        assert event["organization_id"] == uuid_of(tenant.organization_id)
        # What Open edX's webhook view does next: read the event back with the key.
        body = data(await openedx.perform("GET", urljoin("events/", f"{event['id']}/")))
        template = body["badge_template"]
        assert template["id"] == uuid_of(str(group["id"]))
        assert template["owner"] == {"id": uuid_of(tenant.organization_id)}
        assert set(template) >= {"name", "state", "description", "image_url"}
        expected.append((template["name"], template["state"]))
    assert expected == [("Rust 101", "active"), ("Rust 102", "active"), ("Rust 102", "archived")]


async def test_no_url_no_push_and_events_are_the_organization_s_own(
    openedx: OpenEdx,
    certifier: CertifierClient,
    other_api: CertifierClient,
    database: Database,
    credly_settings: Settings,
    webhook_receiver: WebhookReceiver,
) -> None:
    await certifier.create_group(name="Go 101", designIds=[await certifier.create_design()])
    assert await deliver_due(database, credly_settings) == 0
    assert webhook_receiver.received == []

    response = await openedx.perform("GET", "events/00000000-0000-7000-8000-000000000000/")
    assert response.status_code == 404
    assert set(response.json()["data"]) == {"message"}


async def test_a_private_webhook_url_is_refused(database: Database, tenant: Tenant) -> None:
    for url in ("http://127.0.0.1:8000/badges/credly/webhook/", "ftp://example.org/"):
        with pytest.raises(ValidationFailed):
            await register(database, tenant, url, allow_private=False)
