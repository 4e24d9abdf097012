"""Rotating LAUREL_SECRET_KEY: stored secrets re-sealed under the new key, none lost.

Two kinds of stored secret are sealed (Fernet) under keys derived from LAUREL_SECRET_KEY and
must be read back: issuers' private signing keys and webhook signing secrets. During a rotation
the old key is LAUREL_SECRET_KEY_PREVIOUS, so every process reads what either key sealed
(`Settings.secret_keys`); `reseal_stored_secrets` then moves everything to the new key, in one
transaction, after which the previous key can be dropped. Everything else derived from the key
(signed preview links, OAuth consent tokens, the ID-token key) is short-lived or re-derived, and
accepts the previous key meanwhile (docs/operations.md).
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial

from cryptography.fernet import InvalidToken
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.config import Settings
from laurel.issuers.repository import IssuerRepository
from laurel.issuers.service import KEY_PURPOSE
from laurel.kit.crypto import WEBHOOK_SECRETS, reencrypt_secret
from laurel.kit.errors import LaurelError
from laurel.webhooks.repository import WebhookRepository


@dataclass
class Resealed:
    issuer_keys: int = 0
    webhook_secrets: int = 0


class UnreadableSecrets(LaurelError):
    """Stored secrets that neither key opens: re-sealing the rest would lose them for good."""

    def __init__(self, unreadable: list[str]) -> None:
        shown = ", ".join(unreadable[:10]) + (" ..." if len(unreadable) > 10 else "")
        super().__init__(
            f"{len(unreadable)} stored secrets open with neither LAUREL_SECRET_KEY nor "
            f"LAUREL_SECRET_KEY_PREVIOUS ({shown}); nothing was changed"
        )
        self.unreadable = unreadable


async def reseal_stored_secrets(session: AsyncSession, settings: Settings) -> Resealed:
    """Seal every stored secret under the current secret key (reading it with either key).

    If any secret opens with neither key, `UnreadableSecrets` is raised once all were tried, so
    the transaction rolls back and nothing is changed.
    """
    unreadable: list[str] = []
    reseal = partial(_reseal, settings.secret_keys, unreadable)
    issuers, webhooks = IssuerRepository(session), WebhookRepository(session)
    result = Resealed(
        issuer_keys=await reseal(
            "issuer key", await issuers.all_sealed_keys(), KEY_PURPOSE, issuers.reseal_key
        ),
        webhook_secrets=await reseal(
            "webhook", await webhooks.all_sealed_secrets(), WEBHOOK_SECRETS, webhooks.reseal_secret
        ),
    )
    if unreadable:
        raise UnreadableSecrets(unreadable)
    return result


async def _reseal(
    secret_keys: Sequence[str],
    unreadable: list[str],
    kind: str,
    rows: Sequence[tuple[str, str]],
    purpose: str,
    store: Callable[[str, str], Awaitable[None]],
) -> int:
    """Re-seal `rows` (id, sealed secret) and store each; the ones no key opens go to
    `unreadable`, named by `kind` and id. Returns how many were re-sealed."""
    resealed = 0
    for row_id, sealed in rows:
        try:
            again = reencrypt_secret(secret_keys, sealed, purpose)
        except InvalidToken:
            unreadable.append(f"{kind} {row_id}")
            continue
        await store(row_id, again)
        resealed += 1
    return resealed
