"""Verifying a credential as anyone would: each check with its result.

Keys resolve offline: a `did:key` carries its key; a `did:web` of one of Laurel's own issuers
resolves from the database. Other issuers' keys would need the network, which this build does not
use, so their proof check says so instead of passing.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import unquote

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.config import Settings
from laurel.dataintegrity.jsonld import OPEN_BADGES_CONTEXT
from laurel.dataintegrity.proofs import Ed25519Multikey, ProofError, verify
from laurel.issuers.repository import IssuerRepository
from laurel.issuers.service import did_web
from laurel.kit.body import parse_json
from laurel.kit.errors import ValidationFailed
from laurel.kit.outbound import DestinationRefused, public_only_client
from laurel.links import PublicLinks
from laurel.vc.baking import PNG_SIGNATURE, NotBaked, unbake
from laurel.vc.repository import StatusRepository
from laurel.vc.service import VC_CONTEXT
from laurel.vc.status import bit_is_set

Outcome = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class Check:
    name: str
    outcome: Outcome
    detail: str


def read_credential(content: bytes, content_type: str) -> Any:
    """The credential sent to be verified: JSON, or the one baked into a PNG or SVG badge."""
    if (
        content.startswith(PNG_SIGNATURE)
        or "image/" in content_type
        or content.lstrip()[:1] == b"<"
    ):
        try:
            return unbake(content)
        except NotBaked as error:
            raise ValidationFailed(f"badge: {error}", param="badge") from None
    return parse_json(content)


# Canonicalization work grows with the number of nodes; a credential has a few dozen. Refusing
# documents far past that keeps a crafted (poisoned) dataset from tying up a worker.
MAX_NODES = 2_000


def _node_count(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_node_count(item) for item in value.values())
    if isinstance(value, list):
        return sum(_node_count(item) for item in value)
    return 0


async def verify_credential(
    session: AsyncSession, settings: Settings, document: Any
) -> list[Check]:
    if not isinstance(document, dict):
        return [Check("shape", "failed", "a credential is a JSON object")]
    if _node_count(document) > MAX_NODES:
        return [Check("shape", "failed", f"more than {MAX_NODES} JSON objects; not verified")]
    issuer, key = await _issuer_key(session, settings, document)
    return [
        _shape(document),
        issuer,
        _proof(document, key),
        _dates(document),
        await _status(session, settings, document),
    ]


def _shape(document: dict[str, Any]) -> Check:
    contexts = document.get("@context")
    types = document.get("type")
    subject = document.get("credentialSubject")
    if not isinstance(contexts, list) or contexts[:1] != [VC_CONTEXT]:
        return Check("shape", "failed", f"@context must start with {VC_CONTEXT}")
    if OPEN_BADGES_CONTEXT not in contexts:
        return Check("shape", "failed", "not an Open Badges 3.0 credential (context)")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        return Check("shape", "failed", "type must include VerifiableCredential")
    if not {"OpenBadgeCredential", "AchievementCredential"} & set(types):
        return Check("shape", "failed", "type must include OpenBadgeCredential")
    if not isinstance(subject, dict) or not isinstance(subject.get("achievement"), dict):
        return Check("shape", "failed", "credentialSubject.achievement is missing")
    return Check("shape", "passed", "an Open Badges 3.0 credential")


async def _resolve(
    session: AsyncSession, settings: Settings, method: str
) -> tuple[Ed25519Multikey, str] | str:
    """The key behind a verification method and its controller, or why it cannot be had."""
    did, _, fragment = method.partition("#")
    if did.startswith("did:key:"):
        return Ed25519Multikey.from_multibase(did.removeprefix("did:key:")), did
    own_prefix = did_web(settings, "")
    if did.startswith(own_prefix):
        organization_id = did.removeprefix(own_prefix)
        row = await IssuerRepository(session).key(organization_id, fragment)
        if row is None:
            return f"{method} is not a key of this issuer"
        return Ed25519Multikey.from_multibase(row.public_multibase), did
    if did.startswith("did:web:") and settings.resolve_remote_issuers:
        return await resolve_did_web(settings, did, method)
    return f"{did} is another server's issuer; resolving it over the network is not enabled"


MAX_DID_DOCUMENT_BYTES = 256 * 1024


def did_web_url(settings: Settings, did: str) -> str:
    """did:web:example.com%3A8443:issuers:x -> https://example.com:8443/issuers/x/did.json"""
    host, *path = did.removeprefix("did:web:").split(":")
    suffix = (
        "/".join(unquote(part) for part in path) + "/did.json" if path else ".well-known/did.json"
    )
    return f"{settings.did_web_scheme}://{unquote(host)}/{suffix}"


async def resolve_did_web(
    settings: Settings, did: str, method: str
) -> tuple[Ed25519Multikey, str] | str:
    """Fetch another issuer's DID document: bounded in time and size, public addresses only."""
    url = did_web_url(settings, did)
    client = public_only_client(
        allow_private=settings.webhooks_allow_private_addresses,
        timeout=settings.remote_issuer_timeout_seconds,
    )
    try:
        async with client, client.stream("GET", url, follow_redirects=False) as response:
            if response.status_code != 200:
                return f"{url} answered {response.status_code}"
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_DID_DOCUMENT_BYTES:
                    return f"{url} is larger than a DID document should be"
        document = json.loads(body)
    except (DestinationRefused, httpx.HTTPError, ValueError) as error:
        return f"cannot resolve {did}: {error}"
    if not isinstance(document, dict) or document.get("id") != did:
        return f"{url} is not the DID document of {did}"
    for candidate in document.get("verificationMethod", []):
        if isinstance(candidate, dict) and candidate.get("id") == method:
            return Ed25519Multikey.from_multibase(str(candidate.get("publicKeyMultibase"))), did
    return f"{method} is not in {did}'s DID document"


async def _issuer_key(
    session: AsyncSession, settings: Settings, document: dict[str, Any]
) -> tuple[Check, Ed25519Multikey | None]:
    """Resolve the proof's key and check that it is the named issuer's (did:key, did:web)."""
    proof = document.get("proof")
    if not isinstance(proof, dict) or not isinstance(proof.get("verificationMethod"), str):
        return Check("issuer", "failed", "no proof naming a verificationMethod"), None
    try:
        resolved = await _resolve(session, settings, proof["verificationMethod"])
    except ProofError as error:
        return Check("issuer", "failed", str(error)), None
    if isinstance(resolved, str):
        return Check("issuer", "failed", resolved), None
    key, controller = resolved
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != controller:
        return Check("issuer", "failed", "the signing key does not belong to the issuer"), None
    return Check("issuer", "passed", f"the signing key is {controller}'s"), key


def _proof(document: dict[str, Any], key: Ed25519Multikey | None) -> Check:
    if key is None:
        return Check("proof", "skipped", "no key of the issuer to check the signature with")
    try:
        verify(document, key)
    except ProofError as error:
        return Check("proof", "failed", str(error))
    except Exception as error:  # a document pyld cannot process is not a valid proof either
        return Check("proof", "failed", f"cannot be canonicalized: {type(error).__name__}")
    cryptosuite = document.get("proof", {}).get("cryptosuite")
    return Check("proof", "passed", f"{cryptosuite} signature verified")


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _dates(document: dict[str, Any]) -> Check:
    now = datetime.now(UTC)
    valid_from = _timestamp(document.get("validFrom"))
    valid_until = _timestamp(document.get("validUntil")) if "validUntil" in document else None
    if valid_from is None:
        return Check("validity", "failed", "validFrom is missing or not a timestamp")
    if valid_from > now:
        return Check("validity", "failed", f"not valid before {document['validFrom']}")
    if valid_until is not None and valid_until < now:
        return Check("validity", "failed", f"expired on {document['validUntil']}")
    return Check("validity", "passed", "within its validity period")


async def _status(session: AsyncSession, settings: Settings, document: dict[str, Any]) -> Check:
    entry = document.get("credentialStatus")
    if entry is None:
        return Check("revocation", "skipped", "the credential has no status entry")
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return Check("revocation", "failed", "unsupported credentialStatus")
    url = str(entry.get("statusListCredential", ""))
    own = PublicLinks.of(settings).status_lists_prefix()
    if not url.startswith(own):
        return Check("revocation", "skipped", "the status list is another server's")
    status_list = await StatusRepository(session).get_list(url.removeprefix(own))
    try:
        index = int(entry.get("statusListIndex", ""))
    except ValueError:
        return Check("revocation", "failed", "statusListIndex is not a number")
    if status_list is None or not 0 <= index < status_list.size:
        return Check("revocation", "failed", "the status list entry does not exist")
    if bit_is_set(status_list.bits, index):
        return Check("revocation", "failed", "revoked by its issuer")
    return Check("revocation", "passed", "not revoked")
