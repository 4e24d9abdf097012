"""Secrets: tokens stored only as a hash; secrets we must read back (webhook keys) encrypted.

Fernet (from `cryptography`) is authenticated encryption with a stable format: no home-made crypto.
"""

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet

TOKEN_PREFIX = "laurel_"  # noqa: S105 (a prefix, not a secret)


def generate_token(prefix: str = TOKEN_PREFIX) -> str:
    # 32 random bytes: unguessable, so a fast hash is enough to store it (no need for a slow KDF).
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _fernet(secret_key: str, purpose: str) -> Fernet:
    # A key of its own for each purpose, derived from LAUREL_SECRET_KEY, so that secrets kept for
    # one feature can never be read with another's key.
    digest = hashlib.sha256(f"laurel/{purpose}/v1:".encode() + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(secret_key: str, plaintext: str, purpose: str = "webhook-secrets") -> str:
    return _fernet(secret_key, purpose).encrypt(plaintext.encode()).decode()


def decrypt_secret(secret_key: str, ciphertext: str, purpose: str = "webhook-secrets") -> str:
    return _fernet(secret_key, purpose).decrypt(ciphertext.encode()).decode()
