"""W3C Data Integrity proofs with Ed25519: the `eddsa-rdfc-2022` and `eddsa-jcs-2022` cryptosuites.

Follows the VC Data Integrity EdDSA specification step by step (transform, hash, sign), and is
checked byte for byte against the W3C test vectors. Keys are Multikeys: multibase base58btc of the
multicodec-prefixed raw key (0xed01 public, 0x8026 private).
"""

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from laurel.dataintegrity.fastcanon import canonize

Cryptosuite = Literal["eddsa-rdfc-2022", "eddsa-jcs-2022"]
CRYPTOSUITES: tuple[Cryptosuite, ...] = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
_PUBLIC_PREFIX = b"\xed\x01"
_PRIVATE_PREFIX = b"\x80\x26"


class ProofError(ValueError):
    """A proof that is malformed, of an unknown suite, or whose signature does not verify."""


def _multibase_decode(text: str, prefix: bytes) -> bytes:
    if not text.startswith("z"):
        raise ProofError("only base58btc multibase ('z...') keys are supported")
    raw = base58.b58decode(text[1:])
    if not raw.startswith(prefix) or len(raw) != len(prefix) + 32:
        raise ProofError("not an Ed25519 Multikey")
    return raw[len(prefix) :]


def _multibase_encode(raw: bytes, prefix: bytes) -> str:
    return "z" + base58.b58encode(prefix + raw).decode()


@dataclass(frozen=True)
class Ed25519Multikey:
    """An Ed25519 key pair (or a public key alone) in Multikey form."""

    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None = None

    @classmethod
    def generate(cls) -> "Ed25519Multikey":
        private = Ed25519PrivateKey.generate()
        return cls(private.public_key(), private)

    @classmethod
    def from_multibase(cls, public: str, private: str | None = None) -> "Ed25519Multikey":
        public_key = Ed25519PublicKey.from_public_bytes(_multibase_decode(public, _PUBLIC_PREFIX))
        if private is None:
            return cls(public_key)
        seed = _multibase_decode(private, _PRIVATE_PREFIX)
        private_key = Ed25519PrivateKey.from_private_bytes(seed)
        if private_key.public_key().public_bytes_raw() != public_key.public_bytes_raw():
            raise ProofError("the private key does not match the public key")
        return cls(public_key, private_key)

    @property
    def public_multibase(self) -> str:
        raw = self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return _multibase_encode(raw, _PUBLIC_PREFIX)

    @property
    def private_multibase(self) -> str:
        if self.private_key is None:
            raise ProofError("this key has no private half")
        return _multibase_encode(self.private_key.private_bytes_raw(), _PRIVATE_PREFIX)

    @property
    def did_key(self) -> str:
        return f"did:key:{self.public_multibase}"


def _transform(document: dict[str, Any], cryptosuite: str) -> bytes:
    if cryptosuite == "eddsa-rdfc-2022":
        # The template fast path; kit.jsonld.canonize (pyld end to end) stays the reference.
        return canonize(document).encode()
    if cryptosuite == "eddsa-jcs-2022":
        return rfc8785.dumps(document)
    raise ProofError(f"unsupported cryptosuite {cryptosuite!r}")


def proof_configuration(document: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    """The proof options to hash: the proof without its value, in the document's context."""
    config = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in document and "@context" not in config:
        config["@context"] = document["@context"]
    return config


def hash_data(document: dict[str, Any], proof: dict[str, Any]) -> bytes:
    """sha256(canonical proof configuration) followed by sha256(canonical document)."""
    suite = str(proof.get("cryptosuite"))
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof_hash = hashlib.sha256(_transform(proof_configuration(unsecured, proof), suite)).digest()
    document_hash = hashlib.sha256(_transform(unsecured, suite)).digest()
    return proof_hash + document_hash


def sign(
    document: dict[str, Any],
    key: Ed25519Multikey,
    *,
    verification_method: str,
    created: str,
    cryptosuite: Cryptosuite = "eddsa-rdfc-2022",
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """The document with a DataIntegrityProof added."""
    if key.private_key is None:
        raise ProofError("signing needs a private key")
    proof: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": cryptosuite,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if cryptosuite == "eddsa-jcs-2022" and "@context" in document:
        # eddsa-jcs-2022 carries the context inside the proof (JCS has no other way to bind it).
        proof["@context"] = document["@context"]
    signature = key.private_key.sign(hash_data(document, proof))
    proof["proofValue"] = "z" + base58.b58encode(signature).decode()
    return {**{k: v for k, v in document.items() if k != "proof"}, "proof": proof}


def verify(document: dict[str, Any], key: Ed25519Multikey) -> None:
    """Raise ProofError unless the document's proof was made by `key` over this very document."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("the document has no proof")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") not in CRYPTOSUITES:
        raise ProofError("not an EdDSA DataIntegrityProof")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("proofValue must be base58btc multibase")
    try:
        signature = base58.b58decode(value[1:])
        key.public_key.verify(signature, hash_data(document, proof))
    except (InvalidSignature, ValueError) as error:
        raise ProofError("the signature does not verify") from error
