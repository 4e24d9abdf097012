"""Authlib's authorization server, answering its hooks from one request's `Exchange`.

A server is built per request (it is a few small objects) so that its hooks can read the state
that the endpoint loaded beforehand, and record the writes they want in it.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from authlib.oauth2.rfc6749 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode, UserInfo
from joserfc.jwk import ECKey

from laurel.kit.crypto import generate_token, hash_token
from laurel.kit.ids import new_id, uuid_of
from laurel.kit.timestamps import utc_now
from laurel.models import AuthorizationCode, User, UserToken, UserTokenKind
from laurel.oauth.exchange import (
    AddRow,
    ConsumeCode,
    Exchange,
    RevokeFamily,
    RevokeToken,
    RotateRefreshToken,
)
from laurel.oauth.keys import ID_TOKEN_ALGORITHM, key_id, signing_key
from laurel.oauth.models import Client, HeldToken, IssuedCode

ACCESS_TOKEN_PREFIX = "laurel_oat_"  # noqa: S105 (a prefix, not a secret)
REFRESH_TOKEN_PREFIX = "laurel_ort_"  # noqa: S105
ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
REFRESH_TOKEN_LIFETIME = timedelta(days=30)
CODE_LIFETIME = timedelta(minutes=10)
AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]


def issuer_of(public_url: str) -> str:
    return public_url.rstrip("/") + "/auth/v1"


def user_info(user: User, scope: str) -> UserInfo:
    """The claims the granted identity scopes allow; `sub` is the user's id in the records API."""
    claims = UserInfo(sub=uuid_of(user.id), name=user.display_name, email=user.email)
    return claims.filter(scope)


class FormRequest(OAuth2Request):  # type: ignore[misc]
    """A request as Authlib reads it: query and form parameters (each possibly repeated)."""

    def __init__(
        self,
        method: str,
        uri: str,
        headers: Any,
        query: list[tuple[str, str]],
        form: list[tuple[str, str]],
    ) -> None:
        super().__init__(method, uri, headers=headers)
        self._args, self._form = dict(query), dict(form)
        self.payload = BasicOAuth2Payload({**self._args, **self._form})
        # Repeated parameters must be seen to be refused (RFC 6749 section 3.1).
        self.payload._datalist = _group(query + form)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


def _group(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


@dataclass(frozen=True)
class OAuthResponse:
    status: int
    body: Any
    headers: list[tuple[str, str]]


class S256CodeChallenge(CodeChallenge):  # type: ignore[misc]
    """PKCE for every client (OAuth 2.1), with S256 alone: `plain` protects nothing."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE (S256) is required.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


class LaurelOpenIDCode(OpenIDCode):  # type: ignore[misc]
    """ID tokens for requests with `openid`, signed ES256 with the derived key."""

    def __init__(self, exchange: Exchange) -> None:
        super().__init__(require_nonce=False)
        self.exchange = exchange

    def resolve_client_private_key(self, client: Client) -> ECKey:
        return signing_key(self.exchange.settings.secret_key)

    def get_client_algorithm(self, client: Client) -> str:
        return ID_TOKEN_ALGORITHM

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": ID_TOKEN_ALGORITHM, "kid": key_id(self.exchange.settings.secret_key)}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return {"iss": issuer_of(self.exchange.settings.public_url), "aud": [client.client_id]}

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        # Replays are caught by the client, which checks the nonce it sent; codes are single use.
        return False

    def generate_user_info(self, user: User, scope: str) -> UserInfo:
        return user_info(user, scope)


class CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    @property
    def exchange(self) -> Exchange:
        return self.server.exchange  # type: ignore[no-any-return]

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        row = AuthorizationCode(
            code_hash=hash_token(code),
            app_id=request.client.app.id,
            user_id=request.user.id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            code_challenge=data["code_challenge"],
            code_challenge_method=data.get("code_challenge_method", "S256"),
            nonce=data.get("nonce"),
            auth_time=utc_now(),
            expires_at=utc_now() + CODE_LIFETIME,
        )
        self.exchange.record(AddRow(row))

    def query_authorization_code(self, code: str, client: Client) -> IssuedCode | None:
        row = self.exchange.code
        if row is None or row.code_hash != hash_token(code) or row.app_id != client.app.id:
            return None
        if row.used_at is not None:
            # A code presented twice was intercepted or replayed: what it gave is taken back.
            self.exchange.record(RevokeFamily(row.id))
            return None
        return IssuedCode(row)

    def delete_authorization_code(self, authorization_code: IssuedCode) -> None:
        self.exchange.record(ConsumeCode(authorization_code.row.id))

    def authenticate_user(self, authorization_code: IssuedCode) -> User | None:
        user = self.exchange.user
        return user if user is not None and user.id == authorization_code.row.user_id else None


class RotatingRefreshGrant(RefreshTokenGrant):  # type: ignore[misc]
    """Each refresh token works once; presenting a rotated one revokes its whole family."""

    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    @property
    def exchange(self) -> Exchange:
        return self.server.exchange  # type: ignore[no-any-return]

    def authenticate_refresh_token(self, refresh_token: str) -> HeldToken | None:
        row = self.exchange.token
        if row is None or row.kind != UserTokenKind.refresh:
            return None
        if row.token_hash != hash_token(refresh_token):
            return None
        if row.revoked_at is not None:
            # Reuse: either the client or a thief holds a copy; neither may keep any of it.
            if row.family_id is not None:
                self.exchange.record(RevokeFamily(row.family_id))
            return None
        if row.expires_at is not None and row.expires_at <= utc_now():
            return None
        return HeldToken(row)

    def authenticate_user(self, refresh_token: HeldToken) -> User | None:
        user = self.exchange.user
        return user if user is not None and user.id == refresh_token.row.user_id else None

    def revoke_old_credential(self, refresh_token: HeldToken) -> None:
        self.exchange.record(RotateRefreshToken(refresh_token.row.id))


class Revocation(RevocationEndpoint):  # type: ignore[misc]
    """RFC 7009. Revoking a refresh token ends its family (the access tokens too)."""

    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> HeldToken | None:
        row = self.server.exchange.token
        if row is None or row.token_hash != hash_token(token_string):
            return None
        return HeldToken(row)

    def revoke_token(self, token: HeldToken, request: OAuth2Request) -> None:
        row = token.row
        if row.kind == UserTokenKind.refresh and row.family_id is not None:
            self.server.exchange.record(RevokeFamily(row.family_id))
        else:
            self.server.exchange.record(RevokeToken(row.id))


class LaurelAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, exchange: Exchange) -> None:
        super().__init__(scopes_supported=None)  # scopes are checked per app: Client
        self.exchange = exchange
        self.register_token_generator("default", self.generate_bearer_token)
        self.register_grant(CodeGrant, [S256CodeChallenge(), LaurelOpenIDCode(exchange)])
        self.register_grant(RotatingRefreshGrant)
        self.register_endpoint(Revocation)

    def query_client(self, client_id: str) -> Client | None:
        app = self.exchange.app
        return Client(app) if app is not None and app.client_id == client_id else None

    def generate_bearer_token(
        self,
        grant_type: str,
        client: Client,
        user: User | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        token: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": generate_token(ACCESS_TOKEN_PREFIX),
            "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            "scope": scope or "",
        }
        if include_refresh_token:
            token["refresh_token"] = generate_token(REFRESH_TOKEN_PREFIX)
        return token

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        held: HeldToken | None = request.refresh_token
        # A refreshed pair stays in its family, and the new refresh token keeps the grant's
        # whole scope even when this access token was narrowed.
        # Tokens from a code are the code's family: reusing the code revokes them all.
        code: IssuedCode | None = getattr(request, "authorization_code", None)
        family_id = held.row.family_id if held else (code.row.id if code else new_id())
        refresh_scope = held.row.scopes if held else token["scope"]
        base = {"user_id": request.user.id, "app_id": request.client.app.id}
        base |= {"name": request.client.app.name, "family_id": family_id}
        access = UserToken(
            **base,
            kind=UserTokenKind.access,
            scopes=token["scope"],
            token_hash=hash_token(token["access_token"]),
            expires_at=utc_now() + ACCESS_TOKEN_LIFETIME,
        )
        self.exchange.record(AddRow(access))
        if "refresh_token" in token:
            refresh = UserToken(
                **base,
                kind=UserTokenKind.refresh,
                scopes=refresh_scope,
                token_hash=hash_token(token["refresh_token"]),
                expires_at=utc_now() + REFRESH_TOKEN_LIFETIME,
            )
            self.exchange.record(AddRow(refresh))

    def create_oauth2_request(self, request: FormRequest) -> FormRequest:
        return request

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> OAuthResponse:
        return OAuthResponse(status, body, headers)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No one listens to Authlib's signals here."""
