"""Rotating LAUREL_SECRET_KEY: with the old key as LAUREL_SECRET_KEY_PREVIOUS nothing stops
working, `laurel secret rotate` moves every stored secret to the new key, and then the old key can
go; without it the new key alone could not sign."""

import hashlib
import hmac
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import pytest

from laurel.app import create_app
from laurel.config import Settings
from laurel.db import Database
from laurel.operations.secret_key import UnreadableSecrets, reseal_stored_secrets
from tests.conftest import CertifierClient, Tenant, make_client
from tests.delivery.conftest import (
    ReceivedHook,
    WebhookReceiver,
    deliver_due,
    delivery_settings,
    webhook_receiver,  # noqa: F401 (the fixture, used by name)
)
from tests.fixtures.processes import laurel_env, run_laurel

OLD, NEW = "the-old-secret-key-of-this-deployment", "the-new-secret-key-of-this-deployment"
ALL_PASSED = dict.fromkeys(("shape", "issuer", "proof", "validity", "revocation"), "passed")


class ApiWith(Protocol):
    def __call__(
        self, key: str, previous: str | None = None
    ) -> AbstractAsyncContextManager[CertifierClient]: ...


@pytest.fixture
def api_with(settings: Settings, database: Database, tenant: Tenant) -> ApiWith:
    """An API client of the tenant on an app with the given secret keys."""

    @asynccontextmanager
    async def open_api(key: str, previous: str | None = None) -> AsyncIterator[CertifierClient]:
        keyed = delivery_settings(settings, secret_key=key, secret_key_previous=previous)
        app = create_app(keyed)
        try:
            async with make_client(app) as http:
                yield CertifierClient(http, tenant)
        finally:
            await app.state.database.dispose()

    return open_api


async def new_group(api: CertifierClient) -> str:
    return str(
        (await api.create_group(name="Rotated", designIds=[await api.create_design()]))["id"]
    )


async def issue_and_verify(api: CertifierClient, group_id: str) -> dict[str, str] | int:
    """A new credential's checks through /v1/verify, or the status of a failed GET .../vc."""
    created = await api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={"groupId": group_id, "recipient": {"name": "Ada", "email": "ada@example.org"}},
    )
    assert created.status_code == 200, created.text
    vc = await api.request("GET", f"/v1/credentials/{created.json()['id']}/vc")
    if vc.status_code != 200:
        return vc.status_code
    verdict = await api.http.post("/v1/verify", json=vc.json())
    return {c["check"]: c["result"] for c in verdict.json()["checks"]}


def signed_with(secret: str, hook: ReceivedHook) -> bool:
    expected = hmac.new(secret.encode(), hook.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, hook.headers["X-Webhook-Signature"])


async def test_the_secret_key_rotates_without_losing_keys_or_webhook_secrets(
    settings: Settings,
    database: Database,
    api_with: ApiWith,
    webhook_receiver: WebhookReceiver,  # noqa: F811
) -> None:
    async def webhook_delivered_with(key: str, previous: str | None = None) -> bool:
        """Whether a delivery with these keys reached the receiver, signed with its secret."""
        before = len(webhook_receiver.received)
        keyed = delivery_settings(settings, secret_key=key, secret_key_previous=previous)
        async with api_with(key, previous) as api:
            await issue_and_verify(api, group_id)
        await deliver_due(database, keyed)
        fresh = webhook_receiver.received[before:]
        return bool(fresh) and all(signed_with(secret, hook) for hook in fresh)

    async with api_with(OLD) as api:
        group_id = str(
            (await api.create_group(name="Rotated", designIds=[await api.create_design()]))["id"]
        )
        assert await issue_and_verify(api, group_id) == ALL_PASSED  # the issuer key is made
        hook = await api.request(
            "POST",
            "/v1/webhooks",
            json={"url": webhook_receiver.url, "eventTypes": ["credential.created"]},
        )
        secret = hook.json()["secret"]

    # The new key alone opens nothing sealed under the old one.
    async with api_with(NEW) as api:
        assert await issue_and_verify(api, group_id) == 500
    # With the old one as previous, everything works before any re-sealing.
    async with api_with(NEW, OLD) as api:
        assert await issue_and_verify(api, group_id) == ALL_PASSED
        jwks = (await api.http.get("/auth/v1/.well-known/jwks.json")).json()
        assert len(jwks["keys"]) == 2  # ID tokens signed before the rotation still verify
    assert await webhook_delivered_with(NEW, OLD)

    rotated = await run_laurel(
        laurel_env(settings.database_url, secret_key=NEW, secret_key_previous=OLD),
        "secret",
        "rotate",
        stderr_too=True,
    )
    assert "1 issuer keys and 1 webhook secrets sealed" in " ".join(rotated.split())

    # Re-sealed: the new key alone signs and delivers; the old one alone no longer can.
    async with api_with(NEW) as api:
        assert await issue_and_verify(api, group_id) == ALL_PASSED
        assert len((await api.http.get("/auth/v1/.well-known/jwks.json")).json()["keys"]) == 1
    assert await webhook_delivered_with(NEW)
    async with api_with(OLD) as api:
        assert await issue_and_verify(api, group_id) == 500


async def test_nothing_is_resealed_when_a_secret_opens_with_neither_key(
    settings: Settings, database: Database, api_with: ApiWith
) -> None:
    async with api_with(OLD) as api:
        group_id = str(
            (await api.create_group(name="Kept", designIds=[await api.create_design()]))["id"]
        )
        assert await issue_and_verify(api, group_id) == ALL_PASSED
        await api.request(
            "POST",
            "/v1/webhooks",
            json={"url": "https://example.org/hooks", "eventTypes": ["credential.created"]},
        )
    wrong = settings.model_copy(update={"secret_key": NEW, "secret_key_previous": "not-the-old"})
    with pytest.raises(UnreadableSecrets, match="2 stored secrets"):
        async with database.sessions() as session, session.begin():
            await reseal_stored_secrets(session, wrong)
    # Still sealed under the old key, which still signs.
    async with api_with(OLD) as api:
        assert await issue_and_verify(api, group_id) == ALL_PASSED


def test_the_previous_key_must_differ_from_the_current_one() -> None:
    with pytest.raises(ValueError, match="same as LAUREL_SECRET_KEY"):
        Settings(secret_key=OLD, secret_key_previous=OLD)
    assert Settings(secret_key=NEW, secret_key_previous="").secret_keys == (NEW,)
