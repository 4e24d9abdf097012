"""What Open edX gets when something is wrong: Accredible's error body, never a 500."""

from typing import Any

import httpx
import pytest

from laurel.config import Settings
from laurel.db import Database
from tests.accredible.conftest import OpenEdx, Site
from tests.conftest import CertifierClient, Tenant


def _accredible_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert body["success"] is False
    assert set(body) == {"success", "data"}
    return str(body["data"])


async def _synced_group(site: Site) -> tuple[str, int]:
    group_id = await site.group()
    return group_id, (await site.openedx.sync_groups())[0]["id"]


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong", "Bearer ", "Token token=wrong", "Basic d3Jvbmc="]
)
async def test_a_wrong_or_missing_key_is_accredibles_401(
    openedx: OpenEdx, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await openedx.http.get("/accredible/v1/issuer/all_groups", headers=headers)
    assert response.json() == {"success": False, "data": "issuer_token not valid"}
    assert response.status_code == 401


async def test_a_wrong_key_writes_nothing(site: Site) -> None:
    _, group_alias = await _synced_group(site)
    site.openedx.api_key = "laurel_not_a_key"
    _accredible_error(await site.openedx.issue(group_alias), 401)
    listed = await site.api.request("GET", "/v1/credentials")
    assert listed.json()["data"] == []


@pytest.fixture
async def other_openedx(
    site: Site, settings: Settings, database: Database, other_tenant: Tenant
) -> OpenEdx:
    """Another organization's Open edX site on the same Laurel."""
    return OpenEdx(site.openedx.http, other_tenant.token)


async def test_another_organizations_ids_are_not_found(site: Site, other_openedx: OpenEdx) -> None:
    _, group_alias = await _synced_group(site)
    design_alias = (await site.openedx.sync_groups())[0]["primary_design_id"]
    credential_alias = (await site.openedx.issue(group_alias)).json()["credential"]["id"]

    assert (await other_openedx.call("GET", "issuer/all_groups")).json()["groups"] == []
    _accredible_error(await other_openedx.call("GET", f"designs/{design_alias}"), 404)
    _accredible_error(await other_openedx.issue(group_alias), 404)
    _accredible_error(await other_openedx.revoke(credential_alias), 404)
    # And nothing changed for the owner.
    listed = (await site.api.request("GET", "/v1/credentials")).json()["data"]
    assert [item["status"] for item in listed] == ["issued"]


@pytest.mark.parametrize("credential_id", ["1000000", "2147483647", "99999999999", "0", "-5"])
async def test_an_unknown_credential_is_not_found(openedx: OpenEdx, credential_id: str) -> None:
    _accredible_error(await openedx.revoke(int(credential_id)), 404)


async def test_a_group_deleted_before_the_award_is_not_found(site: Site) -> None:
    group_id, group_alias = await _synced_group(site)
    deleted = await site.api.request("DELETE", f"/v1/groups/{group_id}")
    assert deleted.status_code in (200, 204), deleted.text
    _accredible_error(await site.openedx.issue(group_alias), 404)
    assert (await site.openedx.call("GET", "issuer/all_groups")).json()["groups"] == []


async def test_a_group_with_credentials_cannot_be_deleted_under_an_award(site: Site) -> None:
    """Deleting a template that has an Open edX award is refused, so the award stays whole."""
    group_id, group_alias = await _synced_group(site)
    await site.openedx.issue(group_alias)
    refused = await site.api.request("DELETE", f"/v1/groups/{group_id}")
    assert refused.status_code == 409
    again = await site.openedx.issue(group_alias)
    assert again.status_code == 200, again.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"credential": {"group_id": 1000000, "recipient": {"name": "Ada"}}}, "email"),
        ({"credential": {"recipient": {"name": "A", "email": "a@example.org"}}}, "group_id"),
        (
            {
                "credential": {
                    "group_id": "x",
                    "recipient": {"name": "A", "email": "a@example.org"},
                }
            },
            "group_id",
        ),
        (
            {
                "credential": {
                    "group_id": 1000000,
                    "recipient": {"name": "A", "email": "a@example.org"},
                    "issued_on": "30/11/2026",
                }
            },
            "issued_on",
        ),
        (
            {
                "credential": {
                    "group_id": 2**31,  # past the 32-bit ids Open edX stores
                    "recipient": {"name": "A", "email": "a@example.org"},
                }
            },
            "group_id",
        ),
        ({}, "credential"),
    ],
)
async def test_a_bad_award_body_is_a_400_naming_the_field(
    site: Site, body: dict[str, Any], field: str
) -> None:
    await _synced_group(site)
    message = _accredible_error(await site.openedx.call("POST", "credentials", body), 400)
    assert field in message


async def test_a_bad_expiry_is_a_400_and_changes_nothing(site: Site) -> None:
    _, group_alias = await _synced_group(site)
    issued = (await site.openedx.issue(group_alias)).json()["credential"]
    body = {"credential": {"expired_on": "tomorrow"}}
    response = await site.openedx.call("PATCH", f"credentials/{issued['id']}", body)
    assert "expired_on" in _accredible_error(response, 400)
    listed = (await site.api.request("GET", "/v1/credentials")).json()["data"]
    assert listed[0]["expiryDate"] is None


async def test_a_non_integer_id_is_a_400(openedx: OpenEdx) -> None:
    _accredible_error(await openedx.call("GET", "designs/None"), 400)


async def test_the_issuer_apis_own_token_form_still_works_alongside(
    site: Site, api: CertifierClient
) -> None:
    """Mounting the family changed nothing for the issuer API's errors."""
    response = await site.openedx.http.get("/v1/groups", headers={"Authorization": "Bearer x"})
    assert response.status_code == 401
    assert "error" in response.json()


async def test_an_unrouted_path_under_the_prefix_answers_accredibles_body(
    openedx: OpenEdx,
) -> None:
    not_routed = await openedx.http.get("/accredible/v1/designs/1000000/a/b")
    not_allowed = await openedx.http.delete("/accredible/v1/credentials/1000000")
    _accredible_error(not_routed, 404)
    _accredible_error(not_allowed, 405)
