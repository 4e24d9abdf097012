"""The authorization-code flow with PKCE, end to end through the HTML form, on both backends."""

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet

from laurel.kit.ids import uuid_of
from tests.oauth.conftest import (
    REDIRECT_URI,
    App,
    Browser,
    Member,
    exchange_code,
    pkce_pair,
    query_of,
    read_form,
    sign_in_for_tokens,
)


async def test_sign_in_approve_and_call_the_records_api(
    browser: Browser, public_app: App, ada: Member, client: httpx.AsyncClient
) -> None:
    verifier, challenge = pkce_pair()
    page = await browser.open(
        public_app,
        scope="openid email profile certification-records:read",
        code_challenge=challenge,
        code_challenge_method="S256",
        nonce="n-0S6",
    )
    assert page.status_code == 200
    assert "Roster Sync" in page.text
    assert "certification_records:read" in page.text
    assert "organization_members:read" not in page.text  # not asked for, not shown
    assert {"email", "password"} <= read_form(page.text).labels
    assert page.headers["x-frame-options"] == "DENY"

    redirect = await browser.submit(page)
    assert redirect.status_code == 302
    returned = query_of(redirect.headers["location"])
    assert returned["state"] == "xyz-state"

    response = await exchange_code(client, public_app, returned["code"], verifier)
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert response.headers["cache-control"] == "no-store"
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["access_token"].startswith("laurel_oat_")
    assert tokens["refresh_token"].startswith("laurel_ort_")
    assert tokens["scope"].split() == ["certification_records:read", "openid", "email", "profile"]

    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = await client.get("/v1/me", headers=bearer)
    assert me.status_code == 200, me.text
    assert me.json()["data"]["user"]["id"] == uuid_of(ada.user_id)
    assert me.json()["data"]["scopes"] == ["certification_records:read"]

    info = await client.get("/auth/v1/oauth/userinfo", headers=bearer)
    assert info.status_code == 200, info.text
    assert info.json() == {
        "sub": uuid_of(ada.user_id),
        "email": "ada@example.org",
        "name": "Ada Lovelace",
    }

    jwks = (await client.get("/auth/v1/.well-known/jwks.json")).json()
    claims = jwt.decode(tokens["id_token"], KeySet.import_key_set(jwks), algorithms=["ES256"])
    assert claims.header["kid"] == jwks["keys"][0]["kid"]
    assert claims.claims["iss"] == "http://127.0.0.1:8000/auth/v1"
    assert claims.claims["aud"] == [public_app.client_id]
    assert claims.claims["sub"] == uuid_of(ada.user_id)
    assert claims.claims["nonce"] == "n-0S6"
    assert claims.claims["email"] == "ada@example.org"


async def test_id_token_signature_fails_with_another_key(
    browser: Browser, public_app: App, client: httpx.AsyncClient
) -> None:
    tokens = await sign_in_for_tokens(browser, public_app, scope="openid")
    other = KeySet.generate_key_set("EC", "P-256", count=1)
    try:
        jwt.decode(tokens["id_token"], other, algorithms=["ES256"])
    except Exception as error:  # joserfc raises BadSignatureError or a key lookup error
        assert "signature" in type(error).__name__.lower() or "key" in str(error).lower()
    else:
        raise AssertionError("an ID token verified with a key that did not sign it")


async def test_without_openid_there_is_no_id_token_and_no_userinfo(
    browser: Browser, public_app: App, client: httpx.AsyncClient
) -> None:
    tokens = await sign_in_for_tokens(browser, public_app, scope="")
    assert "id_token" not in tokens
    assert tokens["scope"].split() == public_app.scopes  # all of the app's API scopes
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    info = await client.get("/auth/v1/oauth/userinfo", headers=bearer)
    assert info.status_code == 403
    assert info.json()["error"] == "insufficient_scope"
    assert (await client.get("/auth/v1/oauth/userinfo")).status_code == 401


async def test_deny_sends_access_denied_back(browser: Browser, public_app: App) -> None:
    _, challenge = pkce_pair()
    page = await browser.open(public_app, code_challenge=challenge, code_challenge_method="S256")
    answer = await browser.submit(page, decision="deny", password="")
    assert answer.status_code == 302
    returned = query_of(answer.headers["location"])
    assert returned["error"] == "access_denied"
    assert returned["state"] == "xyz-state"
    assert "code" not in returned


async def test_a_wrong_password_shows_the_form_again(browser: Browser, public_app: App) -> None:
    _, challenge = pkce_pair()
    page = await browser.open(public_app, code_challenge=challenge, code_challenge_method="S256")
    again = await browser.submit(page, password="not it")
    assert again.status_code == 400
    assert "The email or password is not right." in again.text
    assert 'value="Ada@Example.org"' in again.text
    # The same form still works once the password is right.
    answer = await browser.submit(again)
    assert answer.status_code == 302
    assert "code" in query_of(answer.headers["location"])


async def test_password_guessing_is_throttled(browser: Browser, public_app: App) -> None:
    _, challenge = pkce_pair()
    page = await browser.open(public_app, code_challenge=challenge, code_challenge_method="S256")
    for _ in range(10):  # LAUREL_SIGN_IN_RATE_LIMIT: 10 a minute
        assert (await browser.submit(page, password="guess")).status_code == 400
    throttled = await browser.submit(page)  # even the right password waits now
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert "Too many sign-in attempts" in throttled.text
    denied = await browser.submit(page, decision="deny")  # saying no is never throttled
    assert denied.status_code == 302


async def test_a_tampered_consent_form_is_refused(browser: Browser, public_app: App) -> None:
    _, challenge = pkce_pair()
    page = await browser.open(public_app, code_challenge=challenge, code_challenge_method="S256")
    form = read_form(page.text)
    payload, _, signature = form.fields["request"].partition(".")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    answer = await browser.http.post(
        "/auth/v1/oauth/authorize",
        data={
            "request": forged,
            "email": "ada@example.org",
            "password": "x",
            "decision": "approve",
        },
    )
    assert answer.status_code == 400
    assert "expired" in answer.text
    assert "location" not in answer.headers


async def test_an_unregistered_redirect_uri_is_never_followed(
    browser: Browser, public_app: App
) -> None:
    _, challenge = pkce_pair()
    page = await browser.open(
        public_app,
        redirect_uri="https://evil.example/callback",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    assert page.status_code == 400
    assert "location" not in page.headers
    assert "not supported by client" in page.text


async def test_an_unknown_client_gets_an_error_page(browser: Browser, public_app: App) -> None:
    ghost = App("laurel_app_ghost", None, [])
    page = await browser.open(ghost, code_challenge="x" * 43, code_challenge_method="S256")
    assert page.status_code == 400
    assert "location" not in page.headers


async def test_pkce_with_s256_is_required(browser: Browser, public_app: App) -> None:
    missing = await browser.open(public_app)
    assert missing.status_code == 302
    assert query_of(missing.headers["location"])["error"] == "invalid_request"
    _, challenge = pkce_pair()
    plain = await browser.open(public_app, code_challenge=challenge, code_challenge_method="plain")
    assert query_of(plain.headers["location"])["error"] == "invalid_request"


async def test_scope_rules(browser: Browser, public_app: App) -> None:
    _, challenge = pkce_pair()
    pkce = {"code_challenge": challenge, "code_challenge_method": "S256"}
    not_configured = await browser.open(public_app, scope="job_roles:read", **pkce)
    assert query_of(not_configured.headers["location"])["error"] == "invalid_scope"
    unknown = await browser.open(public_app, scope="openid spaceships:read", **pkce)
    assert query_of(unknown.headers["location"])["error"] == "invalid_scope"
    alias = await browser.open(public_app, scope="organization-members:read", **pkce)
    assert alias.status_code == 200
    assert "organization_members:read" in alias.text
    assert "certification_records:read" not in alias.text


async def test_discovery_documents(client: httpx.AsyncClient) -> None:
    issuer = "http://127.0.0.1:8000/auth/v1"
    openid = (await client.get("/auth/v1/.well-known/openid-configuration")).json()
    server = (await client.get("/auth/v1/.well-known/oauth-authorization-server")).json()
    for document in (openid, server):
        assert document["issuer"] == issuer
        assert document["authorization_endpoint"] == f"{issuer}/oauth/authorize"
        assert document["token_endpoint"] == f"{issuer}/oauth/token"
        assert document["revocation_endpoint"] == f"{issuer}/oauth/revoke"
        assert document["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
        assert document["code_challenge_methods_supported"] == ["S256"]
        assert "certification_records:read" in document["scopes_supported"]
    assert openid["userinfo_endpoint"] == f"{issuer}/oauth/userinfo"
    assert openid["id_token_signing_alg_values_supported"] == ["ES256"]
    jwks = (await client.get("/auth/v1/.well-known/jwks.json")).json()
    (key,) = jwks["keys"]
    assert key["kty"] == "EC" and key["crv"] == "P-256" and key["alg"] == "ES256"
    assert "d" not in key  # never the private part
    assert REDIRECT_URI not in str(jwks)
