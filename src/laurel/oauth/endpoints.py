"""OAuth 2.1 authorization server of the records API (COSMIC-compatible), under /auth/v1.

Errors here are RFC 6749 errors (`{"error", "error_description"}`), as Authlib writes them,
not Laurel's error envelope: OAuth clients expect them.
"""

from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from laurel.config import Settings
from laurel.db import DbSession
from laurel.kit.ratelimit import RateLimiter
from laurel.oauth import flow
from laurel.oauth.consent import PAGE_HEADERS, ConsentPage, render_consent_page, render_error_page
from laurel.oauth.discovery import openid_configuration, server_metadata
from laurel.oauth.keys import public_jwks
from laurel.oauth.server import OAuthResponse

router = APIRouter(prefix="/auth/v1", tags=["OAuth"])

FORM_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}},
    }
}


class OAuthError(BaseModel):
    """An RFC 6749 error, as OAuth clients read it."""

    error: str
    error_description: str | None = None


def _oauth_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "model": OAuthError,
            "description": f"{description} (RFC 6749 `error`, `error_description`)",
        }
        for status, description in _OAUTH_ERRORS.items()
        if status in statuses
    }


_OAUTH_ERRORS = {
    400: "The request is refused: `invalid_request`, `invalid_grant`, `unsupported_grant_type`...",
    401: "The client (or, for userinfo, the access token) did not authenticate",
    403: "The access token was not granted `openid`",
}
# The sign-in pages: a person reads these, so refusals are pages too.
_PAGE: dict[str, Any] = {"content": {"text/html": {}}}
_SIGN_IN_PAGE_ANSWERS: dict[int | str, dict[str, Any]] = {
    302: {"description": "Back to the app's redirect URI, with a code or an error"},
    400: {**_PAGE, "description": "The request cannot be completed; the page says why"},
}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _call(request: Request) -> flow.OAuthCall:
    # Forms are parsed here with the standard library: no python-multipart needed.
    body = (await request.body()).decode("utf-8", errors="replace")
    form = parse_qsl(body, keep_blank_values=True) if request.method == "POST" else []
    return flow.OAuthCall(
        request.method, request.url.path, request.headers, request.query_params.multi_items(), form
    )


def _json(result: OAuthResponse) -> Response:
    if result.status == 302:
        return RedirectResponse(dict(result.headers)["Location"], status_code=302)
    return JSONResponse(result.body, status_code=result.status, headers=dict(result.headers))


def _page(result: ConsentPage | OAuthResponse) -> Response:
    """The consent page, a redirect to the app, or an error the user reads (no safe redirect)."""
    if isinstance(result, ConsentPage):
        status = 400 if result.message else 200
        return HTMLResponse(render_consent_page(result), status_code=status, headers=PAGE_HEADERS)
    if result.status == 302:
        return RedirectResponse(dict(result.headers)["Location"], status_code=302)
    description = str(result.body.get("error_description") or result.body.get("error"))
    html = render_error_page(description)
    return HTMLResponse(html, status_code=result.status, headers=PAGE_HEADERS)


@router.get("/oauth/authorize", response_class=HTMLResponse, responses=_SIGN_IN_PAGE_ANSWERS)
async def authorize_page(request: Request, session: DbSession) -> Response:
    """Show the sign-in and consent page for an app's authorization request."""
    call = await _call(request)
    return _page(await flow.begin_authorization(session, _settings(request), call))


@router.post(
    "/oauth/authorize",
    response_class=HTMLResponse,
    openapi_extra=FORM_BODY,
    responses={
        **_SIGN_IN_PAGE_ANSWERS,
        429: {**_PAGE, "description": "Too many sign-in attempts (`LAUREL_SIGN_IN_RATE_LIMIT`)"},
    },
)
async def authorize_decision(request: Request, session: DbSession) -> Response:
    """Sign in and approve (a code for the app) or deny (access_denied for the app)."""
    call = await _call(request)
    if (refused := await _throttle_sign_in(request, call)) is not None:
        return refused
    try:
        result = await flow.complete_authorization(session, _settings(request), call)
    except flow.ExpiredForm:
        html = render_error_page("This sign-in form has expired. Start again from the app.")
        return HTMLResponse(html, status_code=400, headers=PAGE_HEADERS)
    return _page(result)


async def _throttle_sign_in(request: Request, call: flow.OAuthCall) -> Response | None:
    """Password guesses are limited per client address and per email
    (`LAUREL_SIGN_IN_RATE_LIMIT`), in the shared limiter when there is one."""
    form = dict(call.form)
    if form.get("decision") != "approve":
        return None
    limiter: RateLimiter = request.app.state.sign_in_limiter
    address = request.client.host if request.client else "unknown"
    email = form.get("email", "").strip().lower()
    for key in (f"sign-in:address:{address}", f"sign-in:email:{email}"):
        decision = await limiter.hit(key)
        if not decision.allowed:
            html = render_error_page("Too many sign-in attempts. Wait a minute, then try again.")
            headers = {**PAGE_HEADERS, **decision.headers()}
            return HTMLResponse(html, status_code=429, headers=headers)
    return None


@router.post("/oauth/token", openapi_extra=FORM_BODY, responses=_oauth_errors(400, 401))
async def token(request: Request, session: DbSession) -> Response:
    """Exchange an authorization code (with its PKCE verifier) or a refresh token for tokens."""
    return _json(await flow.issue_tokens(session, _settings(request), await _call(request)))


@router.post("/oauth/revoke", openapi_extra=FORM_BODY, responses=_oauth_errors(400, 401))
async def revoke(request: Request, session: DbSession) -> Response:
    """Revoke an access or refresh token (RFC 7009); unknown tokens are not an error."""
    return _json(await flow.revoke_token(session, _settings(request), await _call(request)))


@router.get("/oauth/userinfo", responses=_oauth_errors(401, 403))
async def userinfo(request: Request, session: DbSession) -> Response:
    """The signed-in user's claims (OpenID Connect), for an access token granted `openid`."""
    return _json(await flow.read_user_info(session, request.headers.get("Authorization")))


@router.get("/.well-known/openid-configuration")
async def openid_configuration_document(request: Request) -> dict[str, Any]:
    """OpenID Provider metadata."""
    return openid_configuration(_settings(request).public_url)


@router.get("/.well-known/oauth-authorization-server")
async def authorization_server_document(request: Request) -> dict[str, Any]:
    """OAuth 2.0 authorization server metadata (RFC 8414)."""
    return server_metadata(_settings(request).public_url)


@router.get("/.well-known/jwks.json")
async def jwks(request: Request) -> dict[str, Any]:
    """The public keys that sign ID tokens (two while the secret key is being rotated)."""
    return public_jwks(_settings(request).secret_keys)
