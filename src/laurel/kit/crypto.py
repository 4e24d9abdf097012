"""Secrets: tokens stored only as a hash; secrets we must read back (webhook keys) encrypted;
links signed so that nobody can forge one.

Fernet (from `cryptography`) is authenticated encryption with a stable format, and HMAC-SHA256
from the standard library signs: no home-made crypto.

What is read back or checked accepts several secret keys, newest first (`Settings.secret_keys`:
LAUREL_SECRET_KEY, then LAUREL_SECRET_KEY_PREVIOUS while a rotation is under way); what is
written uses the first. `reencrypt_secret` moves a stored secret to the first key (MultiFernet,
made for exactly this).
"""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

from cryptography.fernet import Fernet, MultiFernet

TOKEN_PREFIX = "laurel_"  # noqa: S105 (a prefix, not a secret)
WEBHOOK_SECRETS = "webhook-secrets"  # the purpose of webhook signing secrets


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


def encrypt_secret(secret_key: str, plaintext: str, purpose: str = WEBHOOK_SECRETS) -> str:
    return _fernet(secret_key, purpose).encrypt(plaintext.encode()).decode()


def _fernets(secret_keys: Sequence[str], purpose: str) -> MultiFernet:
    if isinstance(secret_keys, str) or not secret_keys:
        raise TypeError("secret_keys: a sequence of secret keys, newest first")
    return MultiFernet([_fernet(secret_key, purpose) for secret_key in secret_keys])


def decrypt_secret(
    secret_keys: Sequence[str], ciphertext: str, purpose: str = WEBHOOK_SECRETS
) -> str:
    """The plaintext, opened with whichever of the keys sealed it; `InvalidToken` if none did."""
    return _fernets(secret_keys, purpose).decrypt(ciphertext.encode()).decode()


def reencrypt_secret(
    secret_keys: Sequence[str], ciphertext: str, purpose: str = WEBHOOK_SECRETS
) -> str:
    """The same secret sealed under the first (current) key; `InvalidToken` if no key opens it."""
    return _fernets(secret_keys, purpose).rotate(ciphertext.encode()).decode()


def sign_text(secret_key: str, purpose: str, text: str) -> str:
    """HMAC-SHA256 of `text` under the purpose's key, base64url without padding (43 characters)."""
    mac = hmac.new(derive_key(secret_key, purpose), text.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def is_signed(secret_keys: Sequence[str], purpose: str, text: str, signature: str) -> bool:
    """Whether `signature` is `sign_text`'s for this text under one of the keys, compared in
    constant time."""
    if isinstance(secret_keys, str):
        raise TypeError("secret_keys: a sequence of secret keys, newest first")
    given = signature.encode("utf-8", "replace")
    return any(
        hmac.compare_digest(sign_text(secret_key, purpose, text).encode(), given)
        for secret_key in secret_keys
    )
