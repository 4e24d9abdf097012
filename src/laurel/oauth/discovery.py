"""The discovery documents: OpenID Provider metadata and RFC 8414 server metadata."""

from typing import Any

from laurel.auth.scopes import API_SCOPES, IDENTITY_SCOPES
from laurel.oauth.keys import ID_TOKEN_ALGORITHM
from laurel.oauth.server import AUTH_METHODS, issuer_of


def server_metadata(public_url: str) -> dict[str, Any]:
    """RFC 8414 metadata; the OpenID configuration is the same document plus its own fields."""
    issuer = issuer_of(public_url)
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "userinfo_endpoint": f"{issuer}/oauth/userinfo",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "scopes_supported": sorted(API_SCOPES) + sorted(IDENTITY_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
    }


def openid_configuration(public_url: str) -> dict[str, Any]:
    return {
        **server_metadata(public_url),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ID_TOKEN_ALGORITHM],
        "claims_supported": [
            *("sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "amr"),
            *("name", "email"),
        ],
        "prompt_values_supported": ["none", "login", "consent"],
    }
