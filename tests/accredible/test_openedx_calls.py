"""The four calls Open edX makes, as it makes them, and every field it reads of the answers."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from laurel.accredible.repository import ALIAS_LIMIT, FIRST_ALIAS
from tests.accredible.conftest import OpenEdx, Site
from tests.delivery.conftest import deliver_due

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _is_alias(value: object) -> bool:
    return isinstance(value, int) and FIRST_ALIAS <= value < ALIAS_LIMIT


async def _credential(site: Site, group_id: str) -> dict[str, Any]:
    """The one credential of the template, as the issuer API shows it."""
    listed = await site.api.request("GET", "/v1/credentials", params={"limit": 100})
    assert listed.status_code == 200, listed.text
    ours = [item for item in listed.json()["data"] if item["groupId"] == group_id]
    assert len(ours) == 1, ours
    return dict(ours[0])


async def test_sync_groups_lists_every_template_with_stable_integer_ids(site: Site) -> None:
    certificate_first = await site.group("Data Science", "certificate", "badge")
    await site.group("Statistics", "certificate")
    response = await site.openedx.call("GET", "issuer/all_groups")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    groups = body["groups"]
    assert [group["course_name"] for group in groups] == ["Data Science", "Statistics"]
    assert body["meta"] == {
        "current_page": 1,
        "next_page": None,
        "prev_page": None,
        "total_pages": 1,
        "total_count": 2,
    }
    for group in groups:
        assert _is_alias(group["id"])
        assert _is_alias(group["primary_design_id"])
        assert group["course_description"] == ""
        datetime.fromisoformat(group["created_at"])
    assert groups[0]["id"] != groups[1]["id"]
    assert groups[0]["primary_design_id"] != groups[1]["primary_design_id"]

    again = (await site.openedx.call("GET", "issuer/all_groups")).json()["groups"]
    assert [(g["id"], g["primary_design_id"]) for g in again] == [
        (g["id"], g["primary_design_id"]) for g in groups
    ]
    # The first badge design is the image, though a certificate design comes first.
    template = (await site.api.request("GET", f"/v1/groups/{certificate_first}")).json()
    assert template["designIds"][0] != template["badgeDesignId"]


async def test_a_design_answers_a_public_png(site: Site) -> None:
    await site.group()
    groups = await site.openedx.sync_groups()
    icon = groups[0]["icon"]
    design_id = groups[0]["primary_design_id"]
    design = (await site.openedx.call("GET", f"designs/{design_id}")).json()["design"]
    assert design["id"] == design_id
    assert icon.startswith("http://laurel.test/accredible/v1/designs/")
    image = await site.openedx.http.get(urlsplit(icon).path)  # no key: Open edX shows it
    assert image.status_code == 200, image.text
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(PNG_SIGNATURE)
    forged = await site.openedx.http.get(urlsplit(icon).path.replace(".png", "x.png"))
    assert forged.status_code == 404
    assert forged.json()["success"] is False


async def test_an_award_is_issued_emailed_and_answered_with_an_integer_id(site: Site) -> None:
    group_id = await site.group()
    group_alias = (await site.openedx.sync_groups())[0]["id"]
    response = await site.openedx.issue(group_alias)
    assert response.status_code == 200, response.text
    credential = response.json()["credential"]
    assert _is_alias(credential["id"])
    assert credential["group_id"] == group_alias
    assert credential["recipient"] == {"name": "Ada Lovelace", "email": "ada@example.org"}
    assert credential["issued_on"] == "2026-11-30"

    laurel = await _credential(site, group_id)
    assert laurel["status"] == "issued"
    assert laurel["issueDate"] == "2026-11-30"
    assert laurel["recipient"]["email"] == "ada@example.org"
    assert credential["url"].endswith(f"/credentials/{laurel['publicId']}")

    await deliver_due(site.database, site.settings)
    messages = site.smtp.catcher.messages
    assert [message["To"] for message in messages] == ["Ada Lovelace <ada@example.org>"]


async def test_the_same_group_and_email_again_answers_the_first_credential(
    site: Site,
) -> None:
    group_id = await site.group()
    group_alias = (await site.openedx.sync_groups())[0]["id"]
    first = (await site.openedx.issue(group_alias)).json()["credential"]
    again = await site.openedx.issue(group_alias, email="ADA@example.org")
    assert again.status_code == 200, again.text
    assert again.json()["credential"]["id"] == first["id"]
    await _credential(site, group_id)  # exactly one
    other = (await site.openedx.issue(group_alias, email="grace@example.org")).json()
    assert other["credential"]["id"] != first["id"]


async def test_a_regression_expires_and_revokes_the_credential(site: Site) -> None:
    group_id = await site.group()
    group_alias = (await site.openedx.sync_groups())[0]["id"]
    issued = (await site.openedx.issue(group_alias)).json()["credential"]
    response = await site.openedx.revoke(issued["id"])
    assert response.status_code == 200, response.text
    expired = response.json()["credential"]
    assert expired["id"] == issued["id"]
    assert expired["expired_on"] is not None
    laurel = await _credential(site, group_id)
    assert laurel["expiryDate"] == expired["expired_on"]
    assert laurel["status"] == "revoked"
    # Open edX may call again (a second regression): the same answer, not an error.
    assert (await site.openedx.revoke(issued["id"])).status_code == 200


async def test_a_future_expiry_by_put_in_iso_form_only_dates_the_credential(
    site: Site,
) -> None:
    group_id = await site.group()
    group_alias = (await site.openedx.sync_groups())[0]["id"]
    issued = (await site.openedx.issue(group_alias)).json()["credential"]
    later = datetime.now(UTC).date() + timedelta(days=30)
    response = await site.openedx.call(
        "PUT",
        f"credentials/{issued['id']}",
        {"credential": {"expired_on": f"{later.isoformat()}T12:00:00Z"}},
    )
    assert response.status_code == 200, response.text
    assert response.json()["credential"]["expired_on"] == later.isoformat()
    laurel = await _credential(site, group_id)
    assert laurel["status"] == "issued"
    assert laurel["expiryDate"] == later.isoformat()


async def test_accredibles_documented_token_form_is_accepted(openedx: OpenEdx) -> None:
    response = await openedx.http.get(
        "/accredible/v1/issuer/all_groups",
        headers={"Authorization": f"Token token={openedx.api_key}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["groups"] == []


async def test_two_awards_at_once_make_one_credential(site: Site) -> None:
    group_id = await site.group()
    group_alias = (await site.openedx.sync_groups())[0]["id"]
    replies = await asyncio.gather(*(site.openedx.issue(group_alias) for _ in range(3)))
    assert [reply.status_code for reply in replies] == [200, 200, 200]
    assert len({reply.json()["credential"]["id"] for reply in replies}) == 1
    await _credential(site, group_id)  # exactly one
