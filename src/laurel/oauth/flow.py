"""The authorization server's requests: load what Authlib will ask for, let it decide, write.

Functions here take and return plain values (no HTTP framework): the endpoints turn a
`ConsentPage` into HTML and an `OAuthResponse` into a redirect or a JSON answer.
"""

from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749 import OAuth2Error
from authlib.oauth2.rfc6749.errors import InvalidGrantError
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.repository import CallerRepository
from laurel.auth.scopes import api_scopes
from laurel.config import Settings
from laurel.kit.crypto import hash_token
from laurel.models import UserTokenKind
from laurel.oauth.consent import ConsentPage, open_request, sign_request
from laurel.oauth.exchange import Exchange
from laurel.oauth.repository import OAuthRepository
from laurel.oauth.server import (
    FormRequest,
    LaurelAuthorizationServer,
    OAuthResponse,
    issuer_of,
    user_info,
)
from laurel.users.repository import UserRepository
from laurel.users.sign_in import authenticate

Params = list[tuple[str, str]]


@dataclass(frozen=True)
class OAuthCall:
    """The parts of an HTTP request the flow reads."""

    method: str
    path: str
    headers: Any
    query: Params
    form: Params

    def as_oauth2_request(self, settings: Settings) -> FormRequest:
        # Authlib checks the request's URI is https (or loopback): the public one is what counts.
        uri = settings.public_url.rstrip("/") + self.path
        return FormRequest(self.method, uri, self.headers, self.query, self.form)


def _first(params: Params, name: str) -> str | None:
    return next((value for key, value in params if key == name), None)


async def _exchange_for(
    session: AsyncSession, settings: Settings, client_id: str | None
) -> Exchange:
    app = await OAuthRepository(session).app_by_client_id(client_id) if client_id else None
    return Exchange(settings, app=app)


def _refusal(error: OAuth2Error, server: LaurelAuthorizationServer) -> OAuthResponse:
    """A redirect to the app when its redirect URI was validated; else an answer to the user."""
    return server.handle_error_response(None, error)  # type: ignore[no-any-return]


async def begin_authorization(
    session: AsyncSession, settings: Settings, call: OAuthCall
) -> ConsentPage | OAuthResponse:
    """Check an authorization request and show the sign-in and consent page for it."""
    exchange = await _exchange_for(session, settings, _first(call.query, "client_id"))
    server = LaurelAuthorizationServer(exchange)
    request = call.as_oauth2_request(settings)
    try:
        server.get_consent_grant(request)
    except OAuth2Error as error:
        return _refusal(error, server)
    return _consent_page(settings, exchange, request, sign_request(settings.secret_key, call.query))


def _consent_page(
    settings: Settings, exchange: Exchange, request: FormRequest, token: str, **extra: str
) -> ConsentPage:
    assert exchange.app is not None  # the grant validated the client
    return ConsentPage(
        app_name=exchange.app.name,
        api_scopes=api_scopes(request.scope.split()),
        request_token=token,
        action=issuer_of(settings.public_url) + "/oauth/authorize",
        **extra,
    )


class ExpiredForm(Exception):
    """The consent form's signed request is not ours, or too old."""


async def complete_authorization(
    session: AsyncSession, settings: Settings, call: OAuthCall
) -> ConsentPage | OAuthResponse:
    """The user's answer: a code (approved, signed in) or access_denied, sent to the app."""
    token = _first(call.form, "request") or ""
    try:
        params = open_request(settings.secret_keys, token)
    except ValueError:
        raise ExpiredForm() from None
    exchange = await _exchange_for(session, settings, _first(params, "client_id"))
    server = LaurelAuthorizationServer(exchange)
    request = OAuthCall("GET", call.path, call.headers, params, []).as_oauth2_request(settings)
    try:
        grant = server.get_consent_grant(request)
    except OAuth2Error as error:
        return _refusal(error, server)
    if _first(call.form, "decision") != "approve":
        return server.create_authorization_response(request, None, grant)  # type: ignore[no-any-return]
    email = _first(call.form, "email") or ""
    user = await authenticate(session, email, _first(call.form, "password") or "")
    if user is None:
        message = "The email or password is not right."
        return _consent_page(settings, exchange, request, token, email=email, message=message)
    response: OAuthResponse = server.create_authorization_response(request, user, grant)
    await exchange.apply(OAuthRepository(session))
    return response


def _client_id_of(call: OAuthCall) -> str | None:
    basic_id, _ = extract_basic_authorization(call.headers)
    return basic_id or _first(call.form, "client_id")


async def issue_tokens(session: AsyncSession, settings: Settings, call: OAuthCall) -> OAuthResponse:
    """The token endpoint: an authorization code or a refresh token for new tokens."""
    repository = OAuthRepository(session)
    exchange = await _exchange_for(session, settings, _client_id_of(call))
    grant_type = _first(call.form, "grant_type")
    if grant_type == "authorization_code" and (code := _first(call.form, "code")):
        exchange.code = await repository.code_by_hash(hash_token(code))
    if grant_type == "refresh_token" and (refresh := _first(call.form, "refresh_token")):
        exchange.token = await repository.oauth_token_by_hash(hash_token(refresh))
    holder = exchange.code or exchange.token
    exchange.user = await UserRepository(session).get(holder.user_id) if holder else None
    server = LaurelAuthorizationServer(exchange)
    response: OAuthResponse = server.create_token_response(call.as_oauth2_request(settings))
    if await exchange.apply(repository):
        return response
    # A concurrent request used the same code or refresh token first: this one is a replay,
    # so what the first one got is revoked (tokens from a code are the code's family).
    family = exchange.token.family_id if exchange.token else None
    family = family or (exchange.code.id if exchange.code else None)
    if family is not None:
        await repository.revoke_family(family)
    return _refusal(InvalidGrantError("The grant was used already."), server)


async def revoke_token(session: AsyncSession, settings: Settings, call: OAuthCall) -> OAuthResponse:
    """RFC 7009: revoke an access or refresh token the calling client holds."""
    repository = OAuthRepository(session)
    exchange = await _exchange_for(session, settings, _client_id_of(call))
    if token := _first(call.form, "token"):
        exchange.token = await repository.oauth_token_by_hash(hash_token(token))
    server = LaurelAuthorizationServer(exchange)
    request = call.as_oauth2_request(settings)
    response: OAuthResponse = server.create_endpoint_response("revocation", request)
    await exchange.apply(repository)
    return response


def _bearer_refusal(status: int, error: str, description: str) -> OAuthResponse:
    challenge = f'Bearer error="{error}", error_description="{description}"'
    headers = [("WWW-Authenticate", challenge), ("Cache-Control", "no-store")]
    return OAuthResponse(status, {"error": error, "error_description": description}, headers)


async def read_user_info(session: AsyncSession, authorization: str | None) -> OAuthResponse:
    """OpenID Connect userinfo for an OAuth access token granted `openid`."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _bearer_refusal(401, "invalid_request", "A bearer access token is required.")
    callers = CallerRepository(session)
    row = await callers.usable_user_token(hash_token(token.strip()))
    if row is None or row.kind != UserTokenKind.access:
        return _bearer_refusal(401, "invalid_token", "The access token is not valid.")
    if "openid" not in row.scopes.split():
        return _bearer_refusal(403, "insufficient_scope", "The token was not granted openid.")
    user = await callers.user(row.user_id)
    if user is None:
        return _bearer_refusal(401, "invalid_token", "The access token is not valid.")
    return OAuthResponse(200, dict(user_info(user, row.scopes)), [("Cache-Control", "no-store")])
