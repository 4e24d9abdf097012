"""Open Badges 3.0 credentials: built when a credential is issued, signed, revocable, verifiable.

Each issued credential becomes an `OpenBadgeCredential` (W3C VC 2.0 + OB 3.0.3 contexts) with the
issuer's profile, an `AchievementSubject` that names the recipient only by a salted hash of their
email, the template as its `Achievement`, a `BitstringStatusListEntry` for revocation, and a
Data Integrity proof (`eddsa-rdfc-2022` unless the organization chose `eddsa-jcs-2022`).
"""

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import Principal
from laurel.config import Settings
from laurel.credentials.interactions import VERIFIED, record_guest_interaction
from laurel.credentials.schemas import CredentialView
from laurel.credentials.service import Credentials
from laurel.dataintegrity.jsonld import OPEN_BADGES_CONTEXT
from laurel.dataintegrity.proofs import sign
from laurel.groups.repository import GroupRepository
from laurel.groups.schemas import TemplateExtensions
from laurel.issuers.repository import IssuerRepository
from laurel.issuers.service import SigningIdentity, signing_identity
from laurel.kit.errors import Conflict, NotFound
from laurel.kit.ids import is_valid_id
from laurel.kit.timestamps import utc_now
from laurel.links import PublicLinks
from laurel.models import CredentialState
from laurel.vc.repository import StatusRepository
from laurel.vc.status import encode_list, set_bit
from laurel.webhooks.events import publish_credential_events

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def _seconds(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def identity_object(view: CredentialView) -> dict[str, Any]:
    """The recipient, as OB 3.0's hashed IdentityObject: their email (or name) and a salt."""
    salt = secrets.token_hex(16)
    identity, kind = (
        (view.recipient_email.lower(), "emailAddress")
        if view.recipient_email
        else (view.recipient_name, "name")
    )
    digest = hashlib.sha256((identity + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": kind,
        "hashed": True,
        "salt": salt,
    }


def build_credential(
    view: CredentialView,
    identity: SigningIdentity,
    settings: Settings,
    status: tuple[str, int],
    extensions: TemplateExtensions | None = None,
) -> dict[str, Any]:
    links = PublicLinks.of(settings)
    list_url = links.status_list(status[0])
    document: dict[str, Any] = {
        "@context": [VC_CONTEXT, OPEN_BADGES_CONTEXT],
        "id": links.credential_page(view.public_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": view.group_name,
        "issuer": identity.profile,
        "validFrom": f"{view.issue_date.isoformat()}T00:00:00Z",
        "awardedDate": _seconds(utc_now()),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [identity_object(view)],
            "achievement": achievement(
                links, view.group_id, view.group_name, identity.profile["name"], extensions
            ),
        },
        "credentialStatus": {
            "id": f"{list_url}#{status[1]}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status[1]),
            "statusListCredential": list_url,
        },
    }
    if view.expiry_date is not None:
        document["validUntil"] = f"{view.expiry_date.isoformat()}T23:59:59Z"
    return document


def achievement(
    links: PublicLinks,
    group_id: str,
    group_name: str,
    issuer_name: str,
    extensions: TemplateExtensions | None = None,
) -> dict[str, Any]:
    """The credential template as an OB 3.0 Achievement; its id is where it is published. The
    template's description and criteria when it has them, generated sentences when not (OB 3.0
    requires both)."""
    extensions = extensions or TemplateExtensions()
    return {
        "id": links.achievement(group_id),
        "type": ["Achievement"],
        "name": group_name,
        "description": extensions.description or f"{group_name}, awarded by {issuer_name}.",
        "criteria": {
            "narrative": extensions.criteria or f"Awarded by {issuer_name} for {group_name}."
        },
    }


async def published_achievement(
    session: AsyncSession, settings: Settings, group_id: str
) -> dict[str, Any]:
    """The Achievement behind `credentialSubject.achievement.id`, for anyone who follows it."""
    groups = GroupRepository(session)
    organization_id = await groups.organization_of(group_id) if is_valid_id(group_id) else None
    if organization_id is None:
        raise NotFound()
    group = await groups.get_view(organization_id, group_id)
    profile = await IssuerRepository(session).profile(organization_id)
    if group is None or profile is None:
        raise NotFound()
    return {
        "@context": [VC_CONTEXT, OPEN_BADGES_CONTEXT],
        **achievement(
            PublicLinks.of(settings), group_id, group.name, profile.name, group.extensions
        ),
    }


async def issue_verifiable(
    session: AsyncSession, settings: Settings, organization_id: str, view: CredentialView
) -> dict[str, Any]:
    """The credential's signed OB 3.0 form: made, signed and kept by the first caller, returned
    as kept to every later one. The worker, the API and the public page all come here; the row
    lock makes two of them racing sign once (the second waits, then reads the first's)."""
    repository = StatusRepository(session)
    kept = await repository.signed_form_locked(view.id)
    if kept is not None:
        return kept
    identity = await signing_identity(session, settings, organization_id)
    allocation = await repository.allocation_of(view.id)
    status = (
        (allocation.status_list_id, allocation.status_index)
        if allocation is not None
        else await repository.allocate(organization_id, view.id)
    )
    group = await GroupRepository(session).get_view(organization_id, view.group_id)
    extensions = group.extensions if group is not None else None
    signed = sign(
        build_credential(view, identity, settings, status, extensions),
        identity.key,
        verification_method=identity.verification_method,
        created=_seconds(utc_now()),
        cryptosuite=identity.cryptosuite,  # type: ignore[arg-type]
    )
    await repository.store_credential(view.id, signed)
    return signed


async def signed_form(
    session: AsyncSession, settings: Settings, principal: Principal, credential_id: str
) -> dict[str, Any]:
    """The credential's signed OB 3.0 form, signed now if the worker has not done it yet."""
    credentials = Credentials(session, principal, settings)
    view = await credentials.view(credential_id)
    if view.state != "issued":
        raise Conflict("A draft has no verifiable form yet; issue it first")
    return await issue_verifiable(session, settings, principal.organization_id, view)


async def revoke_credential(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    credential_id: str,
    reason: str,
) -> dict[str, Any]:
    """Revoke, record who and why, and announce `credential.revoked`."""
    await signed_form(session, settings, principal, credential_id)
    await _revoke(session, principal.organization_id, credential_id, reason, principal.token_id)
    read = await Credentials(session, principal, settings).get(credential_id)
    body = read.model_dump(mode="json", by_alias=True)
    await publish_credential_events(
        session, principal.organization_id, ["credential.revoked"], body
    )
    return body


async def _revoke(
    session: AsyncSession, organization_id: str, credential_id: str, reason: str, revoked_by: str
) -> None:
    repository = StatusRepository(session)
    stored = await repository.signed_credential(organization_id, credential_id)
    if stored is None:
        raise NotFound()
    if stored.revoked_at is not None:
        raise Conflict("The credential is revoked already")
    allocation = await repository.allocation_of(credential_id)
    if allocation is None:
        raise Conflict("Only an issued credential can be revoked")
    status_list = await repository.get_list(allocation.status_list_id, for_update=True)
    await repository.store_bits(status_list.id, set_bit(status_list.bits, allocation.status_index))
    await repository.mark_revoked(credential_id, reason, revoked_by)


async def status_list_credential(
    session: AsyncSession, settings: Settings, list_id: str
) -> dict[str, Any]:
    """The signed BitstringStatusListCredential anyone can fetch to check revocations."""
    status_list = await StatusRepository(session).get_list(list_id)
    if status_list is None:
        raise NotFound()
    identity = await signing_identity(session, settings, status_list.organization_id)
    url = PublicLinks.of(settings).status_list(list_id)
    document = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": identity.issuer_id,
        "validFrom": _seconds(status_list.updated_at),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(status_list.bits),
        },
    }
    return sign(
        document,
        identity.key,
        verification_method=identity.verification_method,
        created=_seconds(utc_now()),
        cryptosuite=identity.cryptosuite,  # type: ignore[arg-type]
    )


async def own_credential_verified(
    session: AsyncSession, settings: Settings, document: dict[str, Any], *, count: bool
) -> str | None:
    """The public id of an issued credential of ours that `document` claims to be, and, when its
    verification passed (`count`), a `credential_verified` interaction for its organization (a
    forged document naming one of our credentials must not inflate its figures)."""
    prefix = PublicLinks.of(settings).credential_page("")
    claimed = document.get("id")
    if not isinstance(claimed, str) or not claimed.startswith(prefix):
        return None
    public_id = claimed.removeprefix(prefix)
    located = await StatusRepository(session).by_public_id(public_id)
    if located is None or located.state != CredentialState.issued:
        return None
    if count:
        await record_guest_interaction(session, located.organization_id, located.id, VERIFIED)
    return public_id
