"""Issued credentials as signed Open Badges 3.0: their shape, verification, revocation, keys."""

import asyncio
import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from laurel.config import Settings
from laurel.dataintegrity.proofs import Ed25519Multikey, verify
from laurel.db import Database
from laurel.models import IssuerKey
from laurel.vc.repository import StatusRepository
from laurel.vc.status import bit_is_set, decode_list
from tests.conftest import CertifierClient
from tests.credentials.conftest import create_credential
from tests.delivery.conftest import deliver_due

TODAY = datetime.now(UTC).date()


async def issue(
    api: CertifierClient, group_id: str, **overrides: object
) -> tuple[dict[str, Any], dict[str, Any]]:
    credential = await create_credential(api, group_id, **overrides)
    issued = await api.request("POST", f"/v1/credentials/{credential['id']}/issue")
    assert issued.status_code == 200, issued.text
    vc = await api.request("GET", f"/v1/credentials/{credential['id']}/vc")
    assert vc.status_code == 200, vc.text
    return issued.json(), vc.json()


async def check(http: httpx.AsyncClient, document: object) -> dict[str, str]:
    response = await http.post("/v1/verify", json=document)
    assert response.status_code == 200, response.text
    return {c["check"]: c["result"] for c in response.json()["checks"]}


async def test_an_issued_credential_is_a_signed_open_badge(
    api: CertifierClient, group_id: str
) -> None:
    credential, vc = await issue(api, group_id)
    assert vc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["id"].startswith("did:web:")
    assert vc["issuer"]["name"] == "Acme Academy"
    assert vc["validFrom"] == f"{credential['issueDate']}T00:00:00Z"
    assert vc["credentialSubject"]["achievement"]["name"] == "Financial Markets"
    (identity,) = vc["credentialSubject"]["identifier"]
    expected = hashlib.sha256(("ada@example.org" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    assert "ada@example.org" not in str(vc), "the recipient is named only by a salted hash"
    assert vc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert vc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    again = await api.request("GET", f"/v1/credentials/{credential['id']}/vc")
    assert again.json() == vc, "signed once, kept"
    public = await api.http.get(f"/credentials/{credential['publicId']}")
    assert public.json() == vc


async def test_anyone_can_verify_it_and_tampering_shows(
    api: CertifierClient, group_id: str
) -> None:
    _, vc = await issue(api, group_id)
    assert await check(api.http, vc) == {
        "shape": "passed", "issuer": "passed", "proof": "passed", "validity": "passed",
        "revocation": "passed",
    }  # fmt: skip
    tampered = {**vc, "name": "Something Grander"}
    assert (await check(api.http, tampered))["proof"] == "failed"
    verdict = await api.http.post("/v1/verify", json=tampered)
    assert verdict.json()["verified"] is False


async def test_an_expired_credential_verifies_as_expired(
    api: CertifierClient, group_id: str
) -> None:
    _, vc = await issue(
        api,
        group_id,
        issueDate=(TODAY - timedelta(days=400)).isoformat(),
        expiryDate=(TODAY - timedelta(days=35)).isoformat(),
    )
    results = await check(api.http, vc)
    assert results["validity"] == "failed"
    assert results["proof"] == "passed"


async def test_revocation_flips_the_status_bit(api: CertifierClient, group_id: str) -> None:
    credential, vc = await issue(api, group_id)
    revoked = await api.request(
        "POST", f"/v1/credentials/{credential['id']}/revoke", json={"reason": "Issued in error"}
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    assert (await api.request("GET", f"/v1/credentials/{credential['id']}")).json()["status"] == (
        "revoked"
    )
    found = await api.request(
        "POST", "/v1/credentials/search", json={"filter": {"status": {"equals": "revoked"}}}
    )
    assert [c["id"] for c in found.json()["data"]] == [credential["id"]]
    issued_ones = await api.request(
        "POST", "/v1/credentials/search", json={"filter": {"status": {"equals": "issued"}}}
    )
    assert issued_ones.json()["data"] == []
    twice = await api.request(
        "POST", f"/v1/credentials/{credential['id']}/revoke", json={"reason": "again"}
    )
    assert twice.status_code == 409
    assert (await check(api.http, vc))["revocation"] == "failed"

    status_url = vc["credentialStatus"]["statusListCredential"]
    status = await api.http.get(status_url.replace("http://127.0.0.1:8000", ""))
    assert status.status_code == 200
    assert "max-age" in status.headers["Cache-Control"]
    status_vc = status.json()
    bits = decode_list(status_vc["credentialSubject"]["encodedList"])
    assert len(bits) * 8 >= 131_072
    assert bit_is_set(bits, int(vc["credentialStatus"]["statusListIndex"]))

    did_document = (await api.http.get(f"/issuers/{api.tenant.organization_id}/did.json")).json()
    (method,) = did_document["verificationMethod"]
    assert status_vc["proof"]["verificationMethod"] == method["id"]
    verify(status_vc, Ed25519Multikey.from_multibase(method["publicKeyMultibase"]))


async def test_a_draft_has_no_verifiable_form(api: CertifierClient, group_id: str) -> None:
    draft = await create_credential(api, group_id)
    assert (await api.request("GET", f"/v1/credentials/{draft['id']}/vc")).status_code == 409
    revoke = await api.request(
        "POST", f"/v1/credentials/{draft['id']}/revoke", json={"reason": "x"}
    )
    assert revoke.status_code == 409


async def test_rotated_keys_keep_old_credentials_verifying(
    api: CertifierClient, group_id: str, database: Database
) -> None:
    _, before = await issue(api, group_id)
    rotated = await api.request("POST", "/v1/issuer/keys/rotate")
    assert rotated.status_code == 200
    assert [k["retired"] for k in rotated.json()["keys"]] == [True, False]
    _, after = await issue(api, group_id)
    assert before["proof"]["verificationMethod"] != after["proof"]["verificationMethod"]
    assert (await check(api.http, before))["proof"] == "passed"
    assert (await check(api.http, after))["proof"] == "passed"
    async with database.sessions() as session:
        keys = (await session.scalars(select(IssuerKey))).all()
    private_halves = [key.private_encrypted for key in keys]
    assert all(not text.startswith("z3u") for text in private_halves), "kept encrypted"


async def test_jcs_and_did_key_per_organization(api: CertifierClient, group_id: str) -> None:
    changed = await api.request(
        "PATCH",
        "/v1/issuer",
        json={"cryptosuite": "eddsa-jcs-2022", "didMethod": "key", "url": "https://acme.example"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["id"].startswith("did:key:z6Mk")
    _, vc = await issue(api, group_id)
    assert vc["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert vc["issuer"]["id"].startswith("did:key:")
    assert vc["issuer"]["url"] == "https://acme.example"
    assert (await check(api.http, vc))["proof"] == "passed"
    bad = await api.request("PATCH", "/v1/issuer", json={"cryptosuite": "rsa"})
    assert bad.status_code == 400


async def test_verify_refuses_garbage_politely(client: httpx.AsyncClient) -> None:
    assert (await client.post("/v1/verify", content=b"{nope")).status_code == 400
    results = await client.post("/v1/verify", json=[1, 2])
    assert results.json()["verified"] is False
    foreign = await client.post(
        "/v1/verify",
        json={
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/ctx"],
            "type": ["VerifiableCredential"],
            "proof": {"verificationMethod": "did:web:evil.example#k"},
        },
    )
    assert foreign.json()["verified"] is False


def laurel(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "LAUREL_DATABASE_URL": settings.database_url,
        "LAUREL_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "laurel", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


async def test_verify_and_issuer_from_the_command_line(
    api: CertifierClient, group_id: str, settings: Settings, tmp_path: Path
) -> None:
    _, vc = await issue(api, group_id)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(vc))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**vc, "validFrom": "2020-01-01T00:00:00Z"}))
    verified = await asyncio.to_thread(laurel, settings, "verify", str(good))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "proof\tpassed" in verified.stdout
    tampered = await asyncio.to_thread(laurel, settings, "verify", str(bad))
    assert tampered.returncode == 1
    assert "proof\tfailed" in tampered.stdout
    org = api.tenant.organization_id
    shown = await asyncio.to_thread(laurel, settings, "issuer", "show", "--org", org)
    assert shown.stdout.startswith(f"id\tdid:web:127.0.0.1%3A8000:issuers:{org}")
    set_ = await asyncio.to_thread(
        laurel, settings, "issuer", "set", "--org", org, "--cryptosuite", "rsa"
    )
    assert set_.returncode != 0


async def test_an_oversized_document_is_not_canonicalized(client: httpx.AsyncClient) -> None:
    document: dict[str, Any] = {"@context": [], "nested": [{"a": {}} for _ in range(1500)]}
    response = await client.post("/v1/verify", json=document)
    (shape,) = response.json()["checks"]
    assert shape["result"] == "failed"
    assert "more than" in shape["detail"]


async def test_the_worker_signs_what_was_issued(
    api: CertifierClient, group_id: str, database: Database, settings: Settings
) -> None:
    credential = await create_credential(api, group_id)
    await api.request("POST", f"/v1/credentials/{credential['id']}/issue")
    async with database.sessions() as session:
        stored = await StatusRepository(session).signed_credential(None, str(credential["id"]))
    assert stored.verifiable_credential is None, "signing is off the request path"
    assert await deliver_due(database, settings) == 1
    async with database.sessions() as session:
        stored = await StatusRepository(session).signed_credential(None, str(credential["id"]))
    assert (await check(api.http, stored.verifiable_credential))["proof"] == "passed"
