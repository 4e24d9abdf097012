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


def _fernet(secret_key: str) -> Fernet:
    # A key of its own for this purpose, derived from LAUREL_SECRET_KEY, so that rotating how
    # other features use the secret never touches stored webhook secrets.
    digest = hashlib.sha256(b"laurel/webhook-secrets/v1:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(secret_key: str, plaintext: str) -> str:
    return _fernet(secret_key).encrypt(plaintext.encode()).decode()


def decrypt_secret(secret_key: str, ciphertext: str) -> str:
    return _fernet(secret_key).decrypt(ciphertext.encode()).decode()
