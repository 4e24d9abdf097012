"""`Idempotency-Key` on the records API's creates and upserts (the mechanism in kit/)."""

import asyncio
from collections import Counter

import httpx
import pytest

from laurel.db import Database
from laurel.idempotency import IdempotencyRepository, key_scope, request_fingerprint
from tests.fixtures.owners import RUNNING_ELSEWHERE
from tests.fixtures.records import Person


def _body(member: Person, type_id: str, serial: str = "S-1") -> dict[str, str]:
    return {
        "organization_member_id": member.member,
        "certification_type_id": type_id,
        "serial_number": serial,
    }


async def test_a_retried_create_is_replayed(member: Person, type_id: str) -> None:
    headers = {"Idempotency-Key": "retry-1"}
    first = await member.request(
        "POST", "/v1/certifications", json=_body(member, type_id), headers=headers
    )
    again = await member.request(
        "POST", "/v1/certifications", json=_body(member, type_id), headers=headers
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(await member.ok("GET", "/v1/certifications")) == 1


async def test_the_same_key_with_another_payload_is_422_problem(
    member: Person, type_id: str
) -> None:
    headers = {"Idempotency-Key": "retry-2"}
    await member.ok("POST", "/v1/certifications", 201, json=_body(member, type_id), headers=headers)
    response = await member.request(
        "POST", "/v1/certifications", json=_body(member, type_id, "S-2"), headers=headers
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "idempotency_key_reused"
    assert len(await member.ok("GET", "/v1/certifications")) == 1


async def test_a_duplicate_while_the_first_runs_is_409(
    member: Person, type_id: str, database: Database
) -> None:
    import orjson

    payload = orjson.dumps(_body(member, type_id))
    async with database.sessions() as session, session.begin():
        await IdempotencyRepository(session).insert(
            key_scope(member.token, "/v1/certifications"),
            "busy",
            request_fingerprint("/v1/certifications", payload),
            RUNNING_ELSEWHERE,
        )
    response = await member.request(
        "POST",
        "/v1/certifications",
        content=payload,
        headers={"Idempotency-Key": "busy", "Content-Type": "application/json"},
    )
    assert response.status_code == 409 and response.json()["code"] == "idempotency_key_in_use"
    assert await member.ok("GET", "/v1/certifications") == []


async def test_upserts_take_keys_too(admin: Person, member: Person) -> None:
    role = await admin.ok(
        "POST", f"/v1/organizations/{admin.org}/job-roles", 201, json={"name": "Medic"}
    )
    path = (
        f"/v1/organizations/{admin.org}/organization-members/{member.member}/job-roles/{role['id']}"
    )
    headers = {"Idempotency-Key": "assign-1"}
    first = await admin.request("PUT", path, json={"is_primary": True}, headers=headers)
    replay = await admin.request("PUT", path, json={"is_primary": True}, headers=headers)
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.headers["Idempotent-Replayed"] == "true"
    other = await admin.request("PUT", path, json={"is_primary": False}, headers=headers)
    assert other.status_code == 422


@pytest.mark.parametrize("attempts", [24])
async def test_parallel_requests_with_one_key_create_one_record(
    member: Person, type_id: str, attempts: int
) -> None:
    headers = {"Idempotency-Key": "stampede"}

    async def attempt() -> httpx.Response:
        return await member.request(
            "POST", "/v1/certifications", json=_body(member, type_id), headers=headers
        )

    responses = await asyncio.gather(*(attempt() for _ in range(attempts)))
    statuses = Counter(response.status_code for response in responses)
    assert set(statuses) <= {201, 409}, statuses
    created = {r.json()["data"]["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    assert len(await member.ok("GET", "/v1/certifications")) == 1


async def test_a_replayed_problem_stays_problem_json(member: Person) -> None:
    headers = {"Idempotency-Key": "bad-type"}
    body = {"certification_type_id": "not-a-uuid", "issued_on": "2024-01-01"}
    first = await member.request("POST", "/v1/certifications", json=body, headers=headers)
    again = await member.request("POST", "/v1/certifications", json=body, headers=headers)
    assert first.status_code == again.status_code == 400
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json() == first.json()


async def test_a_re_serialized_retry_is_replayed(member: Person, type_id: str) -> None:
    headers = {"Idempotency-Key": "respelled", "Content-Type": "application/json"}
    compact = (
        f'{{"organization_member_id":"{member.member}",'
        f'"certification_type_id":"{type_id}","serial_number":"S-9"}}'
    )
    spaced = (
        f'{{\n  "serial_number": "S-9",\n  "certification_type_id": "{type_id}",\n'
        f'  "organization_member_id": "{member.member}"\n}}\n'
    )
    first = await member.request("POST", "/v1/certifications", content=compact, headers=headers)
    again = await member.request("POST", "/v1/certifications", content=spaced, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(await member.ok("GET", "/v1/certifications")) == 1
