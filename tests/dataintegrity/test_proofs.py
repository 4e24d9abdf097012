"""Data Integrity EdDSA against the W3C test vectors (tests/dataintegrity/vectors)."""

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyld.jsonld import JsonLdError

from laurel.dataintegrity.jsonld import OPEN_BADGES_CONTEXT, canonize, document_loader
from laurel.dataintegrity.proofs import (
    Cryptosuite,
    Ed25519Multikey,
    ProofError,
    hash_data,
    proof_configuration,
    sign,
    verify,
)

VECTORS = Path(__file__).resolve().parent / "vectors" / "w3c-vc-di-eddsa"
SUITES: dict[Cryptosuite, tuple[str, str]] = {
    "eddsa-rdfc-2022": ("eddsa-rdfc-2022", "DataInt"),
    "eddsa-jcs-2022": ("eddsa-jcs-2022", "JCS"),
}


def read(suite: Cryptosuite, name: str) -> str:
    folder, suffix = SUITES[suite]
    return (
        VECTORS
        / folder
        / f"{name}{suffix}.{'json' if name in ('proofConfig', 'signed') else 'txt'}"
    ).read_text()


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


@pytest.fixture
def key() -> Ed25519Multikey:
    pair = load("keyPair.json")
    return Ed25519Multikey.from_multibase(pair["publicKeyMultibase"], pair["privateKeyMultibase"])


def test_the_vectors_are_there() -> None:
    assert (VECTORS / "unsigned.json").exists(), "tests/dataintegrity/vectors is missing"


def test_multikeys_round_trip(key: Ed25519Multikey) -> None:
    pair = load("keyPair.json")
    assert key.public_multibase == pair["publicKeyMultibase"]
    assert key.private_multibase == pair["privateKeyMultibase"]
    fresh = Ed25519Multikey.generate()
    again = Ed25519Multikey.from_multibase(fresh.public_multibase, fresh.private_multibase)
    assert again.public_multibase == fresh.public_multibase
    with pytest.raises(ProofError):
        Ed25519Multikey.from_multibase(pair["publicKeyMultibase"], fresh.private_multibase)


@pytest.mark.parametrize("suite", list(SUITES))
def test_every_intermediate_step_matches_the_vector(
    suite: Cryptosuite, key: Ed25519Multikey
) -> None:
    unsigned = load("unsigned.json")
    config = json.loads(read(suite, "proofConfig"))
    signed = sign(
        unsigned,
        key,
        verification_method=config["verificationMethod"],
        created=config["created"],
        cryptosuite=suite,
    )
    if suite == "eddsa-rdfc-2022":
        assert canonize(unsigned) == read(suite, "canonDoc")
        assert canonize(proof_configuration(unsigned, config)) == read(suite, "proofCanon")
    document_hash = hashlib.sha256(read(suite, "canonDoc").encode()).hexdigest()
    assert document_hash == read(suite, "docHash").strip()
    proof_hash = hashlib.sha256(read(suite, "proofCanon").encode()).hexdigest()
    assert proof_hash == read(suite, "proofHash").strip()
    assert hash_data(unsigned, signed["proof"]).hex() == read(suite, "combinedHash").strip()
    assert signed["proof"]["proofValue"] == read(suite, "sigBTC58").strip()
    assert signed == json.loads(read(suite, "signed"))


@pytest.mark.parametrize("suite", list(SUITES))
def test_the_signed_vectors_verify_and_any_change_breaks_them(
    suite: Cryptosuite, key: Ed25519Multikey
) -> None:
    signed = json.loads(read(suite, "signed"))
    public = Ed25519Multikey.from_multibase(key.public_multibase)
    verify(signed, public)
    tamperings: tuple[Callable[[dict[str, Any]], None], ...] = (
        lambda d: d["credentialSubject"].update(alumniOf="Another School"),
        lambda d: d.update(validFrom="2023-01-02T00:00:00Z"),
        lambda d: d["proof"].update(created="2024-01-01T00:00:00Z"),
        lambda d: d["proof"].update(proofValue=d["proof"]["proofValue"][:-2] + "11"),
    )
    for tamper in tamperings:
        changed = copy.deepcopy(signed)
        tamper(changed)
        with pytest.raises(ProofError):
            verify(changed, public)
    with pytest.raises(ProofError):
        verify(signed, Ed25519Multikey.generate())


def test_unknown_contexts_are_refused_not_fetched() -> None:
    url = "https://evil.example/context.jsonld"
    with pytest.raises(JsonLdError, match="Refusing"):
        document_loader()(url, {})
    with pytest.raises(JsonLdError):
        canonize({"@context": [url], "name": "x"})


def test_the_open_badges_context_is_served_offline() -> None:
    remote = document_loader()(OPEN_BADGES_CONTEXT, {})
    assert "AchievementCredential" in json.dumps(remote["document"])
