"""The ID-token signing key: ES256 (P-256), derived from LAUREL_SECRET_KEY.

Deriving it (HKDF, then the scalar of a P-256 private key) means every process of a deployment
signs with the same key without a table or a file to share; rotating LAUREL_SECRET_KEY rotates
it, and the JWKS `kid` (the RFC 7638 thumbprint) changes with it.
"""

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc.jwk import ECKey

ID_TOKEN_ALGORITHM = "ES256"  # noqa: S105 (an algorithm name, not a secret)
_PURPOSE = b"laurel/oauth/id-token-signing-key/v1"
# The order of P-256's group: a private scalar must lie in [1, n - 1].
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@lru_cache(maxsize=4)
def signing_key(secret_key: str) -> ECKey:
    # 48 bytes reduced modulo n leaves a bias below 2**-128: negligible, as FIPS 186-5 A.4.1 has it.
    material = HKDF(algorithm=hashes.SHA256(), length=48, salt=None, info=_PURPOSE).derive(
        secret_key.encode()
    )
    scalar = int.from_bytes(material, "big") % (_P256_ORDER - 1) + 1
    private_key = ec.derive_private_key(scalar, ec.SECP256R1())
    key = ECKey.import_key(private_key)
    key.ensure_kid()
    return key


def key_id(secret_key: str) -> str:
    return str(signing_key(secret_key).kid)


def public_jwks(secret_keys: Sequence[str]) -> dict[str, Any]:
    """Every key an ID token may have been signed with: during a rotation of the secret key the
    previous key's stays published, so tokens signed before it still verify."""
    return {
        "keys": [
            {**signing_key(key).as_dict(private=False), "use": "sig", "alg": ID_TOKEN_ALGORITHM}
            for key in secret_keys
        ]
    }
