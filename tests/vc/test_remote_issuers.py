"""Verifying another server's credential: its did:web document fetched, only when allowed."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from laurel.app import create_app
from laurel.config import Settings
from laurel.dataintegrity.jsonld import OPEN_BADGES_CONTEXT
from laurel.dataintegrity.proofs import Ed25519Multikey, sign
from laurel.db import Database
from tests.conftest import CertifierClient, make_client
from tests.fixtures.processes import free_port


@pytest.fixture
def other_issuer() -> Iterator[tuple[str, Ed25519Multikey, dict[str, Any]]]:
    """A foreign issuer's did:web document served on loopback."""
    port = free_port()
    did = f"did:web:127.0.0.1%3A{port}:issuers:elsewhere"
    key = Ed25519Multikey.generate()
    document = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [
            {"id": f"{did}#k1", "type": "Multikey", "controller": did,
             "publicKeyMultibase": key.public_multibase},
        ],
    }  # fmt: skip
    served: dict[str, Any] = {"document": document}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(served["document"]).encode()
            status = 200 if self.path == "/issuers/elsewhere/did.json" else 404
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield did, key, served
    finally:
        server.shutdown()
        server.server_close()


def foreign_credential(did: str, key: Ed25519Multikey) -> dict[str, Any]:
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2", OPEN_BADGES_CONTEXT],
        "id": "urn:uuid:7f2c4a9e-8d61-4b1e-9c3a-2f5b6d7e8a90",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Elsewhere University"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Elsewhere Badge",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://elsewhere.example/achievements/1",
                "type": ["Achievement"],
                "name": "Elsewhere Badge",
                "criteria": {"narrative": "Did the thing."},
            },
        },
    }
    return sign(unsigned, key, verification_method=f"{did}#k1", created="2024-01-01T00:00:00Z")


async def verdict(settings: Settings, document: dict[str, Any]) -> dict[str, Any]:
    app = create_app(settings)
    async with make_client(app) as http:
        response = await http.post("/v1/verify", json=document)
    await app.state.database.dispose()
    return {c["check"]: (c["result"], c["detail"]) for c in response.json()["checks"]}


async def test_a_foreign_issuer_resolves_only_when_allowed(
    settings: Settings,
    database: Database,
    other_issuer: tuple[str, Ed25519Multikey, dict[str, Any]],
) -> None:
    did, key, served = other_issuer
    credential = foreign_credential(did, key)
    offline = await verdict(settings, credential)
    assert offline["issuer"][0] == "failed" and offline["proof"][0] == "skipped"
    assert "not enabled" in offline["issuer"][1]

    online = settings.model_copy(
        update={
            "resolve_remote_issuers": True,
            "did_web_scheme": "http",
            "webhooks_allow_private_addresses": True,
        }
    )
    assert (await verdict(online, credential))["proof"][0] == "passed"
    served["document"] = {**served["document"], "verificationMethod": []}
    assert (await verdict(online, credential))["issuer"][0] == "failed"
    private_refused = online.model_copy(update={"webhooks_allow_private_addresses": False})
    refused = await verdict(private_refused, credential)
    assert "non-public address" in refused["issuer"][1]


async def test_each_key_is_dereferenceable_over_http(api: CertifierClient, group_id: str) -> None:
    issuer = (await api.request("GET", "/v1/issuer")).json()
    (key,) = issuer["keys"]
    document = await api.http.get(f"/issuers/{api.tenant.organization_id}/keys/{key['id']}")
    assert document.status_code == 200
    assert document.json()["publicKeyMultibase"] == key["publicKeyMultibase"]
    assert document.json()["id"] == issuer["verificationMethod"]
    missing = await api.http.get(
        f"/issuers/{api.tenant.organization_id}/keys/01hz2ej4yzdcfkq9fa78nhyj0x"
    )
    assert missing.status_code == 404
