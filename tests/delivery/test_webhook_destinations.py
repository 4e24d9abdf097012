"""Webhook destinations: only public addresses, checked when saved and on the address each
delivery connects to; redirects never followed."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from laurel.app import create_app
from laurel.config import Settings
from laurel.db import Database
from laurel.models import OutboxJob
from tests.conftest import CertifierClient, Tenant, make_client
from tests.delivery.conftest import (
    WebhookReceiver,
    deliver_due,
    delivery_settings,
    subscribe,
)
from tests.fixtures.resolver import StubResolver

# Each reaches a private, loopback, link-local or otherwise internal host, in some notation.
HOSTILE_URLS = [
    "http://127.0.0.1:8000/x",
    "http://10.1.2.3/x",
    "http://169.254.169.254/latest",
    "http://[::1]/x",
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://0x7f.1/",
    "http://0x7f000001/",
    "http://127.1/",
    "http://017700000001/",  # octal
    "http://0177.0.0.1/",
    "http://0.0.0.0/",
    "http://0.1.2.3/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://198.18.0.1/",  # benchmarking
    "http://192.0.2.1/",  # documentation
    "http://192.0.0.170/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",  # IPv4-mapped 169.254.169.254, hex
    "http://[0:0:0:0:0:ffff:7f00:1]/",
    "http://[::127.0.0.1]/",  # IPv4-compatible
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
    "http://[64:ff9b::10.0.0.1]/",
    "http://[64:ff9b:1::a00:1]/",  # local-use NAT64
    "http://[2002:a9fe:a9fe::]/",  # 6to4 of 169.254.169.254
    "http://[2002:7f00:1::1]/",
    "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",  # Teredo, client 10.0.0.1
    "http://[fec0::1]/",  # site-local
    "http://[fc00::1]/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    "http://[ff02::1]/",
    "http://[ff0e::1]/",
    "http://[2001:db8::1]/",
    "http://[::]/",
    "http://internal.test/",  # resolves to 10.0.0.7
    "http://mixed.test/",  # one public and one private answer
    "http://nat64.test/",  # resolves to 64:ff9b::7f00:1
    "http://unknown.test/",  # resolves to nothing
]
NAMES = {
    "internal.test": [["10.0.0.7"]],
    "mixed.test": [["93.184.215.14", "10.0.0.7"]],
    "nat64.test": [["64:ff9b::7f00:1"]],
    "public.test": [["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]],
}


@pytest.fixture
async def strict_api(
    settings: Settings, database: Database, tenant: Tenant
) -> AsyncIterator[CertifierClient]:
    """The API as deployed: private destinations refused, names answered by a stub resolver."""
    app = create_app(settings, resolver=StubResolver({k: list(v) for k, v in NAMES.items()}))
    async with make_client(app) as http:
        yield CertifierClient(http, tenant)
    await app.state.database.dispose()


@pytest.mark.parametrize("url", HOSTILE_URLS)
async def test_non_public_destinations_are_refused_when_saved(
    strict_api: CertifierClient, url: str
) -> None:
    response = await strict_api.request(
        "POST", "/v1/webhooks", json={"url": url, "eventTypes": ["credential.issued"]}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["param"] == "url"
    assert (await strict_api.request("GET", "/v1/webhooks")).json()["data"] == []


@pytest.mark.parametrize(
    "url",
    [
        "https://public.test/hooks",
        "http://93.184.215.14:8080/x",
        "https://[2606:4700::1111]/x",
        "https://[64:ff9b::808:808]/x",  # NAT64 of a public address
        "https://[::ffff:8.8.8.8]/x",
    ],
)
async def test_public_destinations_are_accepted(strict_api: CertifierClient, url: str) -> None:
    await subscribe(strict_api, url, "credential.issued")


async def test_the_refusal_says_why(strict_api: CertifierClient) -> None:
    for url, reason in (
        ("http://[2002:a9fe:a9fe::]/", "6to4 of 169.254.169.254, link-local"),
        ("http://nat64.test/", "nat64.test resolves to a non-public address"),
        ("http://2130706433/", "four decimal numbers"),
    ):
        response = await strict_api.request(
            "POST", "/v1/webhooks", json={"url": url, "eventTypes": ["credential.issued"]}
        )
        assert reason in response.json()["error"]["message"]


async def _create_a_credential(api: CertifierClient) -> None:
    group = await api.create_group(name="G", designIds=[await api.create_design()])
    response = await api.request(
        "POST", "/v1/credentials", json={"groupId": group["id"], "recipient": {"name": "Ada"}}
    )
    assert response.status_code == 200, response.text


async def _only_webhook_job(database: Database) -> OutboxJob:
    async with database.sessions() as session:
        (job,) = (await session.scalars(select(OutboxJob).where(OutboxJob.kind == "webhook"))).all()
        return job


async def test_a_name_rebound_to_loopback_after_it_was_saved_is_refused_at_delivery(
    settings: Settings, database: Database, tenant: Tenant, webhook_receiver: WebhookReceiver
) -> None:
    port = webhook_receiver.url.split(":")[2].split("/")[0]
    # A DNS server under an attacker's control: public when the URL is saved, loopback after.
    rebinding = StubResolver({"rebind.test": [["93.184.215.14"], ["127.0.0.1"]]})
    app = create_app(settings, resolver=rebinding)
    async with make_client(app) as http:
        api = CertifierClient(http, tenant)
        await subscribe(api, f"http://rebind.test:{port}/hooks", "credential.created")
        await _create_a_credential(api)
    await app.state.database.dispose()
    assert rebinding.asked == ["rebind.test"]

    strict = delivery_settings(settings, webhooks_allow_private_addresses=False)
    await deliver_due(database, strict, rebinding)
    assert webhook_receiver.received == [], "nothing reached the loopback receiver"
    assert rebinding.asked == ["rebind.test"] * 2, "resolved once: the checked answer is used"
    job = await _only_webhook_job(database)
    assert job.status == "pending"
    assert job.last_error == (
        "refused: rebind.test resolves to a non-public address (127.0.0.1: loopback)"
    )


async def test_every_address_of_a_name_is_checked_at_delivery(
    hook_api: CertifierClient,
    settings: Settings,
    database: Database,
    webhook_receiver: WebhookReceiver,
) -> None:
    await subscribe(hook_api, "http://two.test/hooks", "credential.created")
    await _create_a_credential(hook_api)
    strict = delivery_settings(settings, webhooks_allow_private_addresses=False)
    resolver = StubResolver({"two.test": [["93.184.215.14", "::ffff:10.0.0.1"]]})
    await deliver_due(database, strict, resolver)
    job = await _only_webhook_job(database)
    assert job.last_error == (
        "refused: two.test resolves to a non-public address "
        "(::ffff:a00:1: IPv4-mapped 10.0.0.1, private)"
    )


async def test_deliveries_connect_to_the_address_the_resolver_gave(
    hook_api: CertifierClient,
    hook_settings: Settings,
    database: Database,
    webhook_receiver: WebhookReceiver,
) -> None:
    """The resolver's answer is where the socket goes; the URL and Host header keep the name."""
    port = webhook_receiver.url.split(":")[2].split("/")[0]
    await subscribe(hook_api, f"http://receiver.test:{port}/hooks", "credential.created")
    await _create_a_credential(hook_api)
    resolver = StubResolver({"receiver.test": [["127.0.0.1"]]})
    await deliver_due(database, hook_settings, resolver)
    (hook,) = webhook_receiver.received
    assert hook.headers["Host"] == f"receiver.test:{port}"
    assert (await _only_webhook_job(database)).status == "delivered"


async def test_a_redirect_is_never_followed(
    hook_api: CertifierClient,
    hook_settings: Settings,
    database: Database,
    webhook_receiver: WebhookReceiver,
) -> None:
    await subscribe(hook_api, webhook_receiver.url, "credential.created")
    webhook_receiver.plan = [("redirect", "http://169.254.169.254/latest/meta-data/")]
    await _create_a_credential(hook_api)
    await deliver_due(database, hook_settings)
    webhook_receiver.plan = [("redirect", webhook_receiver.url + "/elsewhere")]
    job = await _only_webhook_job(database)
    assert job.status == "pending"
    assert job.last_error == "the endpoint answered 302; redirects are not followed"

    async with database.sessions() as session, session.begin():
        job = await session.get_one(OutboxJob, job.id)
        job.next_attempt_at = job.created_at
    await deliver_due(database, hook_settings)
    assert [hook.path for hook in webhook_receiver.received] == ["/hooks", "/hooks"], (
        "a redirect to a reachable address is not followed either"
    )
