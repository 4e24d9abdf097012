"""Idempotency-Key on POST: replays, conflicts, scope, and what is not kept."""

import asyncio
from collections import Counter
from datetime import timedelta

import httpx
import orjson
from sqlalchemy import update

from laurel.config import Settings
from laurel.db import Database
from laurel.delivery.repository import OutboxRepository
from laurel.idempotency import IdempotencyRepository, key_scope, request_fingerprint
from laurel.kit.timestamps import utc_now
from laurel.models import IdempotencyKey
from laurel.worker import DeliveryWorker
from tests.conftest import CertifierClient
from tests.fixtures.owners import RUNNING_ELSEWHERE


def body(group_id: str, name: str = "Ada") -> dict[str, object]:
    return {"groupId": group_id, "recipient": {"name": name, "email": "ada@example.org"}}


async def test_a_retried_create_is_replayed_not_repeated(
    api: CertifierClient, group_id: str
) -> None:
    headers = {"Idempotency-Key": "order-42"}
    first = await api.request("POST", "/v1/credentials", json=body(group_id), headers=headers)
    second = await api.request("POST", "/v1/credentials", json=body(group_id), headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    listing = (await api.request("GET", "/v1/credentials")).json()["data"]
    assert len(listing) == 1
    other_key = await api.request(
        "POST", "/v1/credentials", json=body(group_id), headers={"Idempotency-Key": "order-43"}
    )
    assert other_key.json()["id"] != first.json()["id"]


async def test_the_same_key_with_another_request_is_refused(
    api: CertifierClient, group_id: str
) -> None:
    headers = {"Idempotency-Key": "k1"}
    await api.request("POST", "/v1/credentials", json=body(group_id), headers=headers)
    other = await api.request(
        "POST", "/v1/credentials", json=body(group_id, "Grace"), headers=headers
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


async def test_keys_belong_to_their_caller(
    api: CertifierClient, other_api: CertifierClient, group_id: str
) -> None:
    headers = {"Idempotency-Key": "shared-name"}
    mine = await api.request("POST", "/v1/credentials", json=body(group_id), headers=headers)
    other_group = (
        await other_api.create_group(name="G", designIds=[await other_api.create_design()])
    )["id"]
    theirs = await other_api.request(
        "POST", "/v1/credentials", json=body(str(other_group)), headers=headers
    )
    assert theirs.status_code == 200
    assert theirs.json()["id"] != mine.json()["id"]
    assert "Idempotent-Replayed" not in theirs.headers


async def test_a_request_still_in_flight_is_a_409(
    api: CertifierClient, group_id: str, database: Database
) -> None:
    payload = orjson.dumps(body(group_id))
    scope = key_scope(api.tenant.token, "/v1/credentials")
    async with database.sessions() as session, session.begin():
        await IdempotencyRepository(session).insert(
            scope, "busy", request_fingerprint("/v1/credentials", payload), RUNNING_ELSEWHERE
        )
    response = await api.request(
        "POST",
        "/v1/credentials",
        content=payload,
        headers={"Idempotency-Key": "busy", "Content-Type": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_in_use"
    assert (await api.request("GET", "/v1/credentials")).json()["data"] == []


async def test_a_client_error_is_kept_like_any_answer(api: CertifierClient, group_id: str) -> None:
    headers = {"Idempotency-Key": "fix-me"}
    invalid = {"groupId": group_id, "recipient": {"name": ""}}
    bad = await api.request("POST", "/v1/credentials", json=invalid, headers=headers)
    assert bad.status_code == 400
    again = await api.request("POST", "/v1/credentials", json=invalid, headers=headers)
    assert again.status_code == 400
    assert again.headers["Idempotent-Replayed"] == "true"
    fixed_same_key = await api.request(
        "POST", "/v1/credentials", json=body(group_id), headers=headers
    )
    assert fixed_same_key.status_code == 422
    fixed_new_key = await api.request(
        "POST", "/v1/credentials", json=body(group_id), headers={"Idempotency-Key": "fixed"}
    )
    assert fixed_new_key.status_code == 200


async def test_unauthorized_answers_are_not_kept(api: CertifierClient, group_id: str) -> None:
    headers = {"Idempotency-Key": "k", "Authorization": "Bearer wrong"}
    refused = await api.request("POST", "/v1/credentials", json=body(group_id), headers=headers)
    assert refused.status_code == 401
    assert (
        "Idempotent-Replayed"
        not in (
            await api.request("POST", "/v1/credentials", json=body(group_id), headers=headers)
        ).headers
    )


async def test_a_retried_send_sends_one_email(
    api: CertifierClient, group_id: str, database: Database
) -> None:
    created = (await api.request("POST", "/v1/credentials", json=body(group_id))).json()
    await api.request("POST", f"/v1/credentials/{created['id']}/issue")
    for _ in range(3):
        sent = await api.request(
            "POST", f"/v1/credentials/{created['id']}/send", headers={"Idempotency-Key": "send-1"}
        )
        assert sent.status_code == 200
    async with database.sessions() as session:
        assert len(await OutboxRepository(session).list_jobs("held", 10)) == 1


async def test_keys_are_forgotten_after_a_day(
    api: CertifierClient, group_id: str, database: Database, settings: Settings
) -> None:
    headers = {"Idempotency-Key": "old"}
    first = await api.request("POST", "/v1/credentials", json=body(group_id), headers=headers)
    async with database.sessions() as session, session.begin():
        await session.execute(
            update(IdempotencyKey).values(created_at=utc_now() - timedelta(hours=25))
        )
    worker = DeliveryWorker(database, settings)
    await worker.housekeeping()
    await worker.http.aclose()
    later = await api.request("POST", "/v1/credentials", json=body(group_id), headers=headers)
    assert later.status_code == 200
    assert later.json()["id"] != first.json()["id"]
    assert "Idempotent-Replayed" not in later.headers


async def test_parallel_retries_with_one_key_create_one_credential(
    api: CertifierClient, group_id: str
) -> None:
    headers = {"Idempotency-Key": "stampede"}

    async def attempt() -> httpx.Response:
        return await api.request("POST", "/v1/credentials", json=body(group_id), headers=headers)

    responses = await asyncio.gather(*(attempt() for _ in range(12)))
    statuses = Counter(response.status_code for response in responses)
    assert set(statuses) <= {200, 409}, statuses
    created = {r.json()["id"] for r in responses if r.status_code == 200}
    assert len(created) == 1
    assert len((await api.request("GET", "/v1/credentials")).json()["data"]) == 1
    replay = await attempt()
    assert replay.json()["id"] in created


async def test_one_key_may_serve_different_routes(api: CertifierClient, group_id: str) -> None:
    headers = {"Idempotency-Key": "same"}
    created = await api.request("POST", "/v1/credentials", json=body(group_id), headers=headers)
    issued = await api.request(
        "POST", f"/v1/credentials/{created.json()['id']}/issue", headers=headers
    )
    assert issued.status_code == 200
    assert issued.json()["status"] == "issued"


async def test_a_retry_whose_json_was_re_serialized_is_the_same_request(
    api: CertifierClient, group_id: str
) -> None:
    headers = {"Idempotency-Key": "reserialized", "Content-Type": "application/json"}
    first = await api.request(
        "POST",
        "/v1/credentials",
        content=orjson.dumps(body(group_id)),
        headers=headers,
    )
    respelled = (
        b'{ "recipient" : {"email": "ada@example.org", "name": "Ada"},\n  "groupId": "'
        + group_id.encode()
        + b'" }\n'
    )
    again = await api.request("POST", "/v1/credentials", content=respelled, headers=headers)
    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


async def test_a_replayed_error_keeps_its_content_type(api: CertifierClient) -> None:
    headers = {"Idempotency-Key": "bad-once"}
    missing = {"groupId": "0" * 26, "recipient": {"name": "Ada"}}
    first = await api.request("POST", "/v1/credentials", json=missing, headers=headers)
    again = await api.request("POST", "/v1/credentials", json=missing, headers=headers)
    assert first.status_code == again.status_code == 404
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
