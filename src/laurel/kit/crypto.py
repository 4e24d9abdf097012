"""Secrets: prefixed random tokens, shown once and stored only as a hash."""

import hashlib
import secrets

TOKEN_PREFIX = "laurel_"  # noqa: S105 (a prefix, not a secret)


def generate_token(prefix: str = TOKEN_PREFIX) -> str:
    # 32 random bytes: unguessable, so a fast hash is enough to store it (no need for a slow KDF).
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
