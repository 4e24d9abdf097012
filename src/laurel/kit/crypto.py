"""Secrets: tokens stored only as a hash; secrets we must read back (webhook keys) encrypted;
links signed so that nobody can forge one.

Fernet (from `cryptography`) is authenticated encryption with a stable format, and HMAC-SHA256
from the standard library signs: no home-made crypto.
"""

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet

TOKEN_PREFIX = "laurel_"  # noqa: S105 (a prefix, not a secret)


def generate_token(prefix: str = TOKEN_PREFIX) -> str:
    # 32 random bytes: unguessable, so a fast hash is enough to store it (no need for a slow KDF).
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def derive_key(secret_key: str, purpose: str) -> bytes:
    """A 32-byte key of its own for each purpose, derived from LAUREL_SECRET_KEY, so that what one
    feature encrypts or signs can never be read or forged with another's key."""
    return hashlib.sha256(f"laurel/{purpose}/v1:".encode() + secret_key.encode()).digest()


def _fernet(secret_key: str, purpose: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive_key(secret_key, purpose)))


def encrypt_secret(secret_key: str, plaintext: str, purpose: str = "webhook-secrets") -> str:
    return _fernet(secret_key, purpose).encrypt(plaintext.encode()).decode()


def decrypt_secret(secret_key: str, ciphertext: str, purpose: str = "webhook-secrets") -> str:
    return _fernet(secret_key, purpose).decrypt(ciphertext.encode()).decode()


def sign_text(secret_key: str, purpose: str, text: str) -> str:
    """HMAC-SHA256 of `text` under the purpose's key, base64url without padding (43 characters)."""
    mac = hmac.new(derive_key(secret_key, purpose), text.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def is_signed(secret_key: str, purpose: str, text: str, signature: str) -> bool:
    """Whether `signature` is `sign_text`'s for this text, compared in constant time."""
    expected = sign_text(secret_key, purpose, text).encode()
    return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))
