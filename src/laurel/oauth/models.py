"""Our rows as Authlib sees them: the client, the authorization code, a held token."""

import hmac
from typing import Any

from laurel.auth.scopes import IDENTITY_SCOPES, api_scopes, parse_scopes, unknown_scopes
from laurel.kit.crypto import hash_token
from laurel.models import AuthorizationCode, OAuthApp, UserToken

GRANT_TYPES = ("authorization_code", "refresh_token")
SECRET_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


def granted_scope(requested: str | None, configured: str) -> str | None:
    """The scope an app gets for a request, or None (invalid_scope).

    API scopes named in the request are granted only if the app has them all; naming none grants
    every API scope the app has. Identity scopes only shape the ID token and userinfo.
    """
    asked = parse_scopes(requested or "")
    if unknown_scopes(asked):
        return None
    asked_api, allowed_api = api_scopes(asked), api_scopes(configured.split())
    if not set(asked_api) <= set(allowed_api):
        return None
    identity = [scope for scope in asked if scope in IDENTITY_SCOPES]
    return " ".join((asked_api or allowed_api) + identity)


class Client:
    """An OAuth app, with the checks Authlib's ClientMixin asks for."""

    def __init__(self, app: OAuthApp) -> None:
        self.app = app
        self.client_id = app.client_id
        self.redirect_uris = app.redirect_uris.split()
        # Read by Authlib's UserInfo and OpenID code; we keep no per-client metadata.
        self.client_metadata: dict[str, Any] = {}

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        # OAuth 2.1: the request names its redirect URI, compared exactly.
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        return granted_scope(scope, self.app.scopes)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        stored = self.app.client_secret_hash
        return stored is not None and hmac.compare_digest(hash_token(client_secret), stored)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # Whoever holds a secret must present it (RFC 6749 section 3.2.1), either way.
        if self.app.client_secret_hash is None:
            return method == "none"
        return method in SECRET_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in GRANT_TYPES


class IssuedCode:
    """An authorization code, as Authlib's code grant, PKCE and OpenID extensions read it."""

    def __init__(self, row: AuthorizationCode) -> None:
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    def get_nonce(self) -> str | None:
        return self.row.nonce

    def get_auth_time(self) -> int:
        return int(self.row.auth_time.timestamp())

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> list[str]:
        return ["pwd"]


class HeldToken:
    """A refresh or access token presented to the token or revocation endpoint."""

    def __init__(self, row: UserToken) -> None:
        self.row = row

    def check_client(self, client: Client) -> bool:
        return self.row.app_id == client.app.id

    def get_scope(self) -> str:
        return self.row.scopes
