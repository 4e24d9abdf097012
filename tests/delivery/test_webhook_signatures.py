"""Webhook signatures: Certifier's `X-Webhook-Signature`, and Standard Webhooks' signed id and
timestamp, verified by a receiver exactly as docs/api.md tells receivers to."""

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

import httpx

from laurel.config import Settings
from laurel.db import Database
from laurel.delivery.signatures import new_webhook_secret, webhook_signature_headers
from tests.conftest import CertifierClient
from tests.delivery.conftest import ReceivedHook, WebhookReceiver, deliver_due, subscribe

# ---- The receiver's check, as docs/api.md gives it (only `now` is a parameter here, so
# ---- that the test can let five minutes pass).
TOLERANCE_SECONDS = 5 * 60
seen_ids: set[str] = set()  # in production: a store your processes share, kept 10 minutes


def verify_laurel_webhook(
    secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None
) -> bool:
    """True for a new genuine delivery, False for one already handled (answer it 2xx and do
    nothing: Laurel retries a delivery until it gets a 2xx); ValueError for anything else."""
    delivery_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    now = time.time() if now is None else now
    if not timestamp.isdigit() or abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise ValueError("timestamp missing or more than 5 minutes away")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [
        signature.removeprefix("v1,")
        for signature in headers["webhook-signature"].split()
        if signature.startswith("v1,")
    ]
    if not any(hmac.compare_digest(expected, signature) for signature in offered):
        raise ValueError("no valid signature")
    if delivery_id in seen_ids:
        return False
    seen_ids.add(delivery_id)
    return True


# ---- end of the documented check


def test_the_standard_webhooks_reference_vector() -> None:
    """The specification's published example; matching it is what lets receivers use any of
    its libraries."""
    headers = webhook_signature_headers(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        '{"test": 2432232314}',
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        now=1614265330,
    )
    assert headers["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert headers["webhook-id"] == "msg_p5jXN8AQM9LWM0D4loKWxJek"
    assert headers["webhook-timestamp"] == "1614265330"


def test_secrets_are_32_random_bytes_in_standard_base64() -> None:
    secret = new_webhook_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert secret != new_webhook_secret()


async def test_a_receiver_verifies_deliveries_and_refuses_replays(
    hook_api: CertifierClient,
    hook_settings: Settings,
    database: Database,
    webhook_receiver: WebhookReceiver,
) -> None:
    endpoint = await subscribe(hook_api, webhook_receiver.url, "credential.created")
    secret = endpoint["secret"]
    clock: list[float | None] = [None]  # None: the real time
    handled: list[str] = []

    def check(hook: ReceivedHook) -> int:
        certifier = hmac.new(secret.encode(), hook.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(hook.headers.get("X-Webhook-Signature", ""), certifier):
            return 401
        try:
            if verify_laurel_webhook(secret, hook.headers, hook.body, now=clock[0]):
                handled.append(hook.headers["webhook-id"])
        except ValueError:
            return 400
        return 200

    webhook_receiver.check = check
    group = await hook_api.create_group(name="G", designIds=[await hook_api.create_design()])
    await hook_api.request(
        "POST", "/v1/credentials", json={"groupId": group["id"], "recipient": {"name": "Ada"}}
    )
    await deliver_due(database, hook_settings)
    (delivery,) = (
        await hook_api.request("GET", f"/v1/webhooks/{endpoint['id']}/deliveries")
    ).json()["data"]
    assert delivery["status"] == "delivered"
    assert handled == [delivery["id"]], "webhook-id is the delivery's id"
    (original,) = webhook_receiver.received
    assert original.headers["Laurel-Event-Id"] == original.json()["id"]

    async def replay(headers: dict[str, str]) -> int:
        async with httpx.AsyncClient() as client:
            response = await client.post(
                webhook_receiver.url, content=original.body, headers=headers
            )
            return response.status_code

    captured = {
        name: original.headers[name]
        for name in ("X-Webhook-Signature", "webhook-id", "webhook-timestamp", "webhook-signature")
    }
    assert await replay(captured) == 200, "a repeat within 5 minutes is acknowledged..."
    assert handled == [delivery["id"]], "...and not handled twice"

    too_old = int(original.headers["webhook-timestamp"]) + TOLERANCE_SECONDS + 1
    clock[0] = too_old
    seen_ids.clear()  # even a receiver that forgot the id refuses it now
    assert await replay(captured) == 400, "the timestamp is too old"
    fresh = captured | {"webhook-timestamp": str(too_old)}
    assert await replay(fresh) == 400, "the timestamp is signed: it cannot be renewed"
    other_id = captured | {"webhook-id": "01JXREPLAYEDREPLAYEDREPLAY"}
    clock[0] = None
    assert await replay(other_id) == 400, "the id is signed: it cannot be changed"
    assert handled == [delivery["id"]]
