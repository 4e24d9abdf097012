"""Rotating LAUREL_SECRET_KEY: stored secrets re-sealed under the new key, none lost.

Two kinds of stored secret are sealed (Fernet) under keys derived from LAUREL_SECRET_KEY and
must be read back: issuers' private signing keys and webhook signing secrets. During a rotation
the old key is LAUREL_SECRET_KEY_PREVIOUS, so every process reads what either key sealed
(`Settings.secret_keys`); `reseal_stored_secrets` then moves everything to the new key, in one
transaction, after which the previous key can be dropped. Everything else derived from the key
(signed preview links, OAuth consent tokens, the ID-token key) is short-lived or re-derived, and
accepts the previous key meanwhile (docs/operations.md).
"""

from dataclasses import dataclass

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
    result, unreadable = Resealed(), []
    issuers, webhooks = IssuerRepository(session), WebhookRepository(session)
    for row in await issuers.all_sealed_keys():
        try:
            sealed = reencrypt_secret(settings.secret_keys, row.private_encrypted, KEY_PURPOSE)
        except InvalidToken:
            unreadable.append(f"issuer key {row.id}")
            continue
        await issuers.reseal_key(row.id, sealed)
        result.issuer_keys += 1
    for row in await webhooks.all_sealed_secrets():
        try:
            sealed = reencrypt_secret(settings.secret_keys, row.secret_encrypted, WEBHOOK_SECRETS)
        except InvalidToken:
            unreadable.append(f"webhook {row.id}")
            continue
        await webhooks.reseal_secret(row.id, sealed)
        result.webhook_secrets += 1
    if unreadable:
        raise UnreadableSecrets(unreadable)
    return result
