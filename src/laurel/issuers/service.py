"""Issuers: an organization's public profile, its signing keys and its DID.

Each organization is `did:web:<public host>:issuers:<organization id>`; its DID document (served at
`/issuers/<id>/did.json`, where did:web resolution looks) lists every key it ever signed with, as
Multikey verification methods, so credentials signed before a rotation keep verifying. An
organization may choose `did:key` instead: the key is then the identifier.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.config import Settings
from laurel.dataintegrity.proofs import Ed25519Multikey
from laurel.issuers.repository import IssuerRepository
from laurel.issuers.schemas import IssuerUpdate
from laurel.kit.crypto import decrypt_secret, encrypt_secret
from laurel.kit.errors import NotFound, ValidationFailed

KEY_PURPOSE = "issuer-keys"
# The profile's fields (as the API names them) and the organization's columns they are kept in.
PROFILE_FIELDS = {
    "url": "issuer_url",
    "email": "issuer_email",
    "image": "issuer_image",
    "description": "issuer_description",
    "cryptosuite": "cryptosuite",
    "did_method": "did_method",
}
NOT_NULL_FIELDS = ("cryptosuite", "did_method")


@dataclass(frozen=True)
class SigningIdentity:
    """What a credential needs of its issuer: who it is and the key that signs for it."""

    issuer_id: str
    verification_method: str
    key: Ed25519Multikey
    cryptosuite: str
    profile: dict[str, Any]


def did_web(settings: Settings, organization_id: str) -> str:
    url = urlsplit(settings.public_url)
    host = quote(url.netloc, safe="")
    path = [segment for segment in url.path.split("/") if segment]
    return ":".join(["did:web", host, *path, "issuers", organization_id])


async def ensure_key(session: AsyncSession, settings: Settings, organization_id: str) -> Any:
    repository = IssuerRepository(session)
    active = await repository.active_key(organization_id)
    if active is None:
        await rotate_key(session, settings, organization_id)
        active = await repository.active_key(organization_id)
    return active


async def rotate_key(session: AsyncSession, settings: Settings, organization_id: str) -> str:
    """A new signing key; the old ones are retired but stay in the DID document."""
    key = Ed25519Multikey.generate()
    repository = IssuerRepository(session)
    await repository.retire_keys(organization_id)
    private = encrypt_secret(settings.secret_key, key.private_multibase, KEY_PURPOSE)
    return await repository.add_key(organization_id, key.public_multibase, private)


async def signing_identity(
    session: AsyncSession, settings: Settings, organization_id: str
) -> SigningIdentity:
    profile = await IssuerRepository(session).profile(organization_id)
    if profile is None:
        raise NotFound()
    row = await ensure_key(session, settings, organization_id)
    private = decrypt_secret(settings.secret_keys, row.private_encrypted, KEY_PURPOSE)
    key = Ed25519Multikey.from_multibase(row.public_multibase, private)
    if profile.did_method == "key":
        issuer_id = key.did_key
        method = f"{key.did_key}#{key.public_multibase}"
    else:
        issuer_id = did_web(settings, organization_id)
        method = f"{issuer_id}#{row.id}"
    return SigningIdentity(
        issuer_id, method, key, profile.cryptosuite, issuer_profile(profile, issuer_id)
    )


def issuer_profile(profile: Any, issuer_id: str) -> dict[str, Any]:
    """The OB 3.0 `Profile` of the issuer."""
    document: dict[str, Any] = {"id": issuer_id, "type": ["Profile"], "name": profile.name}
    if profile.issuer_url:
        document["url"] = profile.issuer_url
    if profile.issuer_email:
        document["email"] = profile.issuer_email
    if profile.issuer_description:
        document["description"] = profile.issuer_description
    if profile.issuer_image:
        document["image"] = {"id": profile.issuer_image, "type": "Image"}
    return document


async def key_document(
    session: AsyncSession, settings: Settings, organization_id: str, key_id: str
) -> dict[str, Any]:
    """One verification method as a Multikey document, dereferenceable over plain HTTPS."""
    row = await IssuerRepository(session).key(organization_id, key_id)
    if row is None:
        raise NotFound()
    did = did_web(settings, organization_id)
    return {
        "@context": "https://w3id.org/security/multikey/v1",
        "id": f"{did}#{row.id}",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": row.public_multibase,
    }


async def did_document(
    session: AsyncSession, settings: Settings, organization_id: str
) -> dict[str, Any]:
    repository = IssuerRepository(session)
    if await repository.profile(organization_id) is None:
        raise NotFound()
    did = did_web(settings, organization_id)
    methods = [
        {
            "id": f"{did}#{row.id}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": row.public_multibase,
        }
        for row in await repository.keys(organization_id)
    ]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


async def profile(
    session: AsyncSession, settings: Settings, organization_id: str
) -> dict[str, Any]:
    """The issuer as `/v1/issuer` shows it: profile, identifier (DID), signing method and keys."""
    identity = await signing_identity(session, settings, organization_id)
    repository = IssuerRepository(session)
    row = await repository.profile(organization_id)
    keys = await repository.keys(organization_id)
    return {
        "id": identity.issuer_id,
        "name": row.name,
        "url": row.issuer_url,
        "email": row.issuer_email,
        "image": row.issuer_image,
        "description": row.issuer_description,
        "cryptosuite": row.cryptosuite,
        "didMethod": row.did_method,
        "verificationMethod": identity.verification_method,
        "keys": [
            {
                "id": key.id,
                "publicKeyMultibase": key.public_multibase,
                "retired": key.retired_at is not None,
            }
            for key in keys
        ],
    }


async def update_profile(
    session: AsyncSession, settings: Settings, organization_id: str, changes: IssuerUpdate
) -> dict[str, Any]:
    """Change what was sent (`null` clears an optional field; the signing choices may not be
    cleared: 400 naming the field); the profile as it is now."""
    values = {PROFILE_FIELDS[field]: getattr(changes, field) for field in changes.model_fields_set}
    for required in NOT_NULL_FIELDS:
        if required in values and values[required] is None:
            raise ValidationFailed(f"{required}: may not be null", param=required)
    if values:
        await IssuerRepository(session).update_profile(organization_id, values)
    return await profile(session, settings, organization_id)
