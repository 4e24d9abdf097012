"""The token and revocation endpoints: code exchange rules, refresh rotation, client auth."""

import httpx

from tests.oauth.conftest import (
    App,
    Browser,
    exchange_code,
    pkce_pair,
    refresh,
    sign_in_for_tokens,
)

USERINFO = "/auth/v1/oauth/userinfo"


async def _works(http: httpx.AsyncClient, access_token: str) -> bool:
    response = await http.get(USERINFO, headers={"Authorization": f"Bearer {access_token}"})
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


async def test_refresh_rotates_the_refresh_token(
    browser: Browser, public_app: App, client: httpx.AsyncClient
) -> None:
    first = await sign_in_for_tokens(browser, public_app, scope="openid")
    response = await refresh(client, public_app, first["refresh_token"])
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"].startswith("laurel_oat_")
    assert second["scope"] == first["scope"]
    assert await _works(client, second["access_token"])
    third = await refresh(client, public_app, second["refresh_token"])
    assert third.status_code == 200, third.text


async def test_reusing_a_rotated_refresh_token_revokes_the_family(
    browser: Browser, public_app: App, client: httpx.AsyncClient
) -> None:
    first = await sign_in_for_tokens(browser, public_app, scope="openid")
    second = (await refresh(client, public_app, first["refresh_token"])).json()
    assert await _works(client, second["access_token"])

    replay = await refresh(client, public_app, first["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # Every token of the family is gone: both access tokens and the newest refresh token.
    assert not await _works(client, first["access_token"])
    assert not await _works(client, second["access_token"])
    latest = await refresh(client, public_app, second["refresh_token"])
    assert latest.json()["error"] == "invalid_grant"
    assert (
        await client.get("/v1/me", headers={"Authorization": "Bearer " + second["access_token"]})
    ).status_code == 401


async def test_reuse_leaves_other_sign_ins_alone(
    browser: Browser, public_app: App, client: httpx.AsyncClient
) -> None:
    mine = await sign_in_for_tokens(browser, public_app, scope="openid")
    other = await sign_in_for_tokens(browser, public_app, scope="openid")
    await refresh(client, public_app, mine["refresh_token"])
    await refresh(client, public_app, mine["refresh_token"])  # reuse
    assert await _works(client, other["access_token"])


async def test_refresh_token_of_another_client_is_refused(
    browser: Browser, public_app: App, confidential_app: App, client: httpx.AsyncClient
) -> None:
    tokens = await sign_in_for_tokens(browser, public_app, scope="openid")
    stolen = await client.post(
        "/auth/v1/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=(confidential_app.client_id, confidential_app.secret or ""),
    )
    assert stolen.json()["error"] == "invalid_grant"
    assert (await refresh(client, public_app, tokens["refresh_token"])).status_code == 200


async def test_a_code_works_once_and_its_reuse_revokes_what_it_gave(
    browser: Browser, public_app: App
) -> None:
    verifier, challenge = pkce_pair()
    code = (await browser.authorize(public_app, challenge))["code"]
    first = await exchange_code(browser.http, public_app, code, verifier)
    assert first.status_code == 200
    tokens = first.json()
    me = {"Authorization": "Bearer " + tokens["access_token"]}
    assert (await browser.http.get("/v1/me", headers=me)).status_code == 200
    again = await exchange_code(browser.http, public_app, code, verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    # A replayed code means it leaked: the tokens it was exchanged for stop working.
    assert (await browser.http.get("/v1/me", headers=me)).status_code == 401
    refreshed = await refresh(browser.http, public_app, tokens["refresh_token"])
    assert refreshed.json()["error"] == "invalid_grant"


async def test_a_wrong_pkce_verifier_is_invalid_grant(browser: Browser, public_app: App) -> None:
    verifier, challenge = pkce_pair()
    code = (await browser.authorize(public_app, challenge))["code"]
    wrong, _ = pkce_pair()
    response = await exchange_code(browser.http, public_app, code, wrong)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    missing = await exchange_code(browser.http, public_app, code, "")
    assert missing.json()["error"] == "invalid_request"
    # The code itself was good: with its own verifier it is exchanged.
    assert (await exchange_code(browser.http, public_app, code, verifier)).status_code == 200


async def test_the_redirect_uri_must_match_the_authorization(
    browser: Browser, public_app: App
) -> None:
    verifier, challenge = pkce_pair()
    code = (await browser.authorize(public_app, challenge))["code"]
    response = await exchange_code(
        browser.http, public_app, code, verifier, redirect_uri="http://127.0.0.1:8765/cb"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    # Nothing was used up: the right request still succeeds.
    assert (await exchange_code(browser.http, public_app, code, verifier)).status_code == 200


async def test_a_code_is_bound_to_its_client(
    browser: Browser, public_app: App, confidential_app: App
) -> None:
    verifier, challenge = pkce_pair()
    code = (await browser.authorize(public_app, challenge))["code"]
    response = await browser.http.post(
        "/auth/v1/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "https://app.example.org/callback",
            "code_verifier": verifier,
        },
        auth=(confidential_app.client_id, confidential_app.secret or ""),
    )
    assert response.json()["error"] == "invalid_grant"


async def _code_for(browser: Browser, app: App) -> tuple[str, str]:
    verifier, challenge = pkce_pair()
    return (await browser.authorize(app, challenge))["code"], verifier


async def test_confidential_client_with_basic_auth(browser: Browser, confidential_app: App) -> None:
    code, verifier = await _code_for(browser, confidential_app)
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "https://app.example.org/callback",
        "code_verifier": verifier,
    }
    wrong = await browser.http.post(
        "/auth/v1/oauth/token", data=body, auth=(confidential_app.client_id, "laurel_ocs_nope")
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    right = await browser.http.post(
        "/auth/v1/oauth/token",
        data=body,
        auth=(confidential_app.client_id, confidential_app.secret or ""),
    )
    assert right.status_code == 200, right.text
    assert right.json()["access_token"].startswith("laurel_oat_")


async def test_confidential_client_with_post_auth(browser: Browser, confidential_app: App) -> None:
    code, verifier = await _code_for(browser, confidential_app)
    wrong = await exchange_code(
        browser.http, confidential_app, code, verifier, client_secret="laurel_ocs_nope"
    )
    assert wrong.json()["error"] == "invalid_client"
    without_secret = await exchange_code(browser.http, confidential_app, code, verifier)
    assert without_secret.json()["error"] == "invalid_client"
    right = await exchange_code(
        browser.http, confidential_app, code, verifier, client_secret=confidential_app.secret or ""
    )
    assert right.status_code == 200, right.text


async def test_revoking_an_access_token(
    browser: Browser, public_app: App, client: httpx.AsyncClient
) -> None:
    tokens = await sign_in_for_tokens(browser, public_app, scope="openid")
    assert await _works(client, tokens["access_token"])
    body = {"token": tokens["access_token"], "client_id": public_app.client_id}
    response = await client.post("/auth/v1/oauth/revoke", data=body)
    assert response.status_code == 200, response.text
    assert not await _works(client, tokens["access_token"])
    # The refresh token was not part of it.
    assert (await refresh(client, public_app, tokens["refresh_token"])).status_code == 200


async def test_revoking_a_refresh_token_ends_its_family(
    browser: Browser, public_app: App, client: httpx.AsyncClient
) -> None:
    tokens = await sign_in_for_tokens(browser, public_app, scope="openid")
    body = {
        "token": tokens["refresh_token"],
        "token_type_hint": "refresh_token",
        "client_id": public_app.client_id,
    }
    assert (await client.post("/auth/v1/oauth/revoke", data=body)).status_code == 200
    assert (await refresh(client, public_app, tokens["refresh_token"])).status_code == 400
    assert not await _works(client, tokens["access_token"])


async def test_revoking_an_unknown_token_is_not_an_error(
    client: httpx.AsyncClient, public_app: App
) -> None:
    body = {"token": "laurel_oat_nothing", "client_id": public_app.client_id}
    assert (await client.post("/auth/v1/oauth/revoke", data=body)).status_code == 200
    anonymous = await client.post("/auth/v1/oauth/revoke", data={"token": "laurel_oat_x"})
    assert anonymous.json()["error"] == "invalid_client"


async def test_unsupported_grant_type(client: httpx.AsyncClient, public_app: App) -> None:
    body = {"grant_type": "password", "client_id": public_app.client_id}
    response = await client.post("/auth/v1/oauth/token", data=body)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
