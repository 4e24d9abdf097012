"""Webhook secrets and the signatures of each delivery.

Two signatures go with every delivery:
- `X-Webhook-Signature`: hex HMAC-SHA256 of the raw body, keyed with the whole secret string,
  as Certifier sends it; existing receivers verify exactly this.
- Standard Webhooks (https://www.standardwebhooks.com): `webhook-id` (the delivery's id, the
  same on every retry), `webhook-timestamp` (unix seconds, fresh on every attempt) and
  `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed with the
  base64-decoded part of the secret after `whsec_`. Signing the id and the time lets a receiver
  refuse replays; the spec's libraries (many languages) verify it as it is.
"""

import base64
import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def new_webhook_secret() -> str:
    """`whsec_` and 32 random bytes in standard base64, as Standard Webhooks libraries read it."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def standard_signing_key(secret: str) -> bytes:
    """The key of the Standard Webhooks signature: the secret's base64 part, decoded.

    Secrets made before Laurel adopted Standard Webhooks are URL-safe base64 without padding;
    they decode here too, though the spec's libraries need a rotated (standard) secret.
    """
    encoded = secret.removeprefix(SECRET_PREFIX)
    return base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=b"-_")


def webhook_signature_headers(
    secret: str, body: str, delivery_id: str, now: int | None = None
) -> dict[str, str]:
    timestamp = int(now if now is not None else time.time())
    certifier = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    signed = f"{delivery_id}.{timestamp}.{body}".encode()
    digest = hmac.new(standard_signing_key(secret), signed, hashlib.sha256).digest()
    return {
        "X-Webhook-Signature": certifier,
        "webhook-id": delivery_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": f"v1,{base64.b64encode(digest).decode()}",
    }
