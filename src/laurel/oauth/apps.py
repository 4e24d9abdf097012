"""Registering OAuth apps: their redirect URIs, API scopes and client credentials."""

import ipaddress
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.scopes import API_SCOPES, IDENTITY_SCOPES, api_scopes, parse_scopes
from laurel.kit.crypto import generate_token, hash_token
from laurel.kit.errors import NotFound, ValidationFailed
from laurel.models import OAuthApp
from laurel.oauth.repository import OAuthRepository
from laurel.organizations.repository import OrganizationRepository

CLIENT_SECRET_PREFIX = "laurel_ocs_"  # noqa: S105 (a prefix, not a secret)


@dataclass(frozen=True)
class RegisteredApp:
    app: OAuthApp
    client_secret: str | None  # shown once; None for public clients


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_redirect_uri(uri: str) -> str:
    """Absolute https, or http on loopback (RFC 8252 native apps); no fragment (RFC 6749)."""
    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
    except ValueError:
        host, parts = "", urlsplit("")
    secure = parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host))
    if not host or not secure or parts.fragment or any(c.isspace() for c in uri):
        raise ValidationFailed(
            f"redirect_uri: '{uri}' must be an absolute https URL, or http on a loopback "
            "address, without a fragment",
            param="redirect_uri",
        )
    return uri


def check_api_scopes(scopes: Sequence[str]) -> list[str]:
    chosen = parse_scopes(scopes)
    for scope in chosen:
        if scope in IDENTITY_SCOPES:
            raise ValidationFailed(
                f"scope: '{scope}' is an identity scope, always available; list API scopes only",
                param="scope",
            )
        if scope not in API_SCOPES:
            known = ", ".join(sorted(API_SCOPES))
            raise ValidationFailed(
                f"scope: unknown API scope '{scope}' (known: {known})", param="scope"
            )
    return api_scopes(chosen) or api_scopes(API_SCOPES)


async def register_app(
    session: AsyncSession,
    organization_id: str,
    name: str,
    redirect_uris: Sequence[str],
    scopes: Sequence[str],
    *,
    confidential: bool = False,
) -> RegisteredApp:
    """A new app of the organization; confidential ones get a secret (basic or post auth)."""
    if await OrganizationRepository(session).get(organization_id) is None:
        raise NotFound(f"No organization with id '{organization_id}'")
    if not name.strip():
        raise ValidationFailed("name: give the app a name", param="name")
    if not redirect_uris:
        raise ValidationFailed("redirect_uri: give at least one", param="redirect_uri")
    secret = generate_token(CLIENT_SECRET_PREFIX) if confidential else None
    app = OAuthApp(
        organization_id=organization_id,
        name=name.strip(),
        client_id="laurel_app_" + secrets.token_hex(16),
        client_secret_hash=hash_token(secret) if secret else None,
        token_endpoint_auth_method="client_secret_basic" if confidential else "none",
        redirect_uris="\n".join(check_redirect_uri(uri) for uri in redirect_uris),
        scopes=" ".join(check_api_scopes(scopes)),
    )
    OAuthRepository(session).add(app)
    await session.flush()
    return RegisteredApp(app, secret)


async def list_apps(session: AsyncSession, organization_id: str) -> Sequence[OAuthApp]:
    return await OAuthRepository(session).apps_of(organization_id)


async def revoke_app(session: AsyncSession, organization_id: str, client_id: str) -> None:
    """Revoke one of the organization's apps and every token issued to it; another
    organization's app, or one already revoked, is not found."""
    repository = OAuthRepository(session)
    app = await repository.app_by_client_id(client_id)
    if app is None or app.organization_id != organization_id:
        raise NotFound("No active app of this organization has that client_id")
    await repository.revoke_app(client_id)
