"""Credentials: the lifecycle, PATCH semantics, validation, tenancy, and the rules around them."""

from datetime import UTC, datetime, timedelta

import pytest

from laurel.db import Database
from laurel.delivery.repository import OutboxRepository
from tests.conftest import CertifierClient
from tests.credentials.conftest import create_credential

TODAY = datetime.now(UTC).date()


async def test_create_makes_a_draft_with_resolved_attributes(
    api: CertifierClient, group_id: str
) -> None:
    day_before = datetime.now(UTC).date()
    credential = await create_credential(api, group_id)
    day_after = datetime.now(UTC).date()
    assert list(credential) == [
        "id", "publicId", "groupId", "status", "recipient", "issueDate", "expiryDate",
        "attributes", "customAttributes", "createdAt", "updatedAt",
    ]  # fmt: skip
    assert credential["status"] == "draft"
    assert credential["groupId"] == group_id
    # A run that crosses midnight UTC may see either day (CI did, 2026-11-29).
    assert credential["issueDate"] in {day_before.isoformat(), day_after.isoformat()}
    assert credential["expiryDate"] is None
    recipient = credential["recipient"]
    assert isinstance(recipient, dict)
    assert recipient["name"] == "Ada Lovelace"
    assert len(recipient["id"]) == 26
    assert len(str(credential["publicId"])) == 36
    attributes = credential["attributes"]
    assert isinstance(attributes, dict)
    assert attributes["recipient.name"] == "Ada Lovelace"
    assert attributes["group.name"] == "Financial Markets"
    assert attributes["credential.publicId"] == credential["publicId"]
    fetched = await api.request("GET", f"/v1/credentials/{credential['id']}")
    assert fetched.json() == credential


async def test_issue_then_send(api: CertifierClient, group_id: str, database: Database) -> None:
    credential = await create_credential(api, group_id)
    path = f"/v1/credentials/{credential['id']}"
    early_send = await api.request("POST", f"{path}/send")
    assert early_send.status_code == 409
    issued = await api.request("POST", f"{path}/issue")
    assert issued.status_code == 200
    assert issued.json()["status"] == "issued"
    again = await api.request("POST", f"{path}/issue")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    sent = await api.request("POST", f"{path}/send", json={"deliveryMethod": "email"})
    assert sent.status_code == 200, sent.text
    async with database.sessions() as session:
        jobs = await OutboxRepository(session).list_jobs(None, 10)
    assert sorted(job.kind for job in jobs) == ["email", "sign"]
    (email,) = [job for job in jobs if job.kind == "email"]
    assert email.status == "held", "no SMTP server configured: the email is kept"
    assert email.payload["to"] == "ada@example.org"
    assert str(credential["publicId"]) in email.payload["text"]
    wrong_method = await api.request("POST", f"{path}/send", json={"deliveryMethod": "fax"})
    assert wrong_method.status_code == 400


async def test_a_future_issue_date_is_scheduled_and_past_expiry_is_expired(
    api: CertifierClient, group_id: str
) -> None:
    future = await create_credential(
        api, group_id, issueDate=(TODAY + timedelta(days=3)).isoformat()
    )
    issued = await api.request("POST", f"/v1/credentials/{future['id']}/issue")
    assert issued.json()["status"] == "scheduled"
    old = await create_credential(
        api,
        group_id,
        issueDate=(TODAY - timedelta(days=30)).isoformat(),
        expiryDate=(TODAY - timedelta(days=1)).isoformat(),
    )
    expired = await api.request("POST", f"/v1/credentials/{old['id']}/issue")
    assert expired.json()["status"] == "expired"


async def test_create_issue_send_in_one_call(api: CertifierClient, group_id: str) -> None:
    response = await api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={"groupId": group_id, "recipient": {"name": "Grace", "email": "grace@example.org"}},
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "issued"


async def test_sending_needs_an_email(api: CertifierClient, group_id: str) -> None:
    credential = await create_credential(api, group_id, recipient={"name": "No Mail"})
    await api.request("POST", f"/v1/credentials/{credential['id']}/issue")
    response = await api.request("POST", f"/v1/credentials/{credential['id']}/send")
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "recipient.email"


BASE = {"groupId": "GROUP", "recipient": {"name": "A"}}


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"recipient": {"name": "A"}}, "groupId"),
        ({"groupId": "GROUP"}, "recipient"),
        ({**BASE, "recipient": {"name": ""}}, "recipient.name"),
        ({**BASE, "recipient": {"name": "A", "email": "not-an-email"}}, "recipient.email"),
        ({**BASE, "issueDate": "2024-1-5"}, "issueDate"),
        ({**BASE, "issueDate": 1700000000}, "issueDate"),
        ({**BASE, "issueDate": "2024-01-05T00:00:00Z"}, "issueDate"),
        ({**BASE, "issueDate": "2024-02-30"}, "issueDate"),
        ({**BASE, "issueDate": "2024-05-02", "expiryDate": "2024-05-01"}, "expiryDate"),
        ({**BASE, "customAttributes": {"custom.nope": "x"}}, "customAttributes.custom.nope"),
        ({**BASE, "customAttributes": {"custom.x": 5}}, "customAttributes.custom.x"),
    ],
)
async def test_create_validates_naming_the_field(
    api: CertifierClient, group_id: str, body: dict[str, object], param: str
) -> None:
    body = {k: (group_id if v == "GROUP" else v) for k, v in body.items()}
    response = await api.request("POST", "/v1/credentials", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert (await api.request("GET", "/v1/credentials")).json()["data"] == []


async def test_custom_attributes(api: CertifierClient, group_id: str) -> None:
    defined = await api.request(
        "POST", "/v1/attributes", json={"tag": "mentor", "name": "Mentor", "defaultValue": "TBD"}
    )
    assert defined.status_code == 200, defined.text
    assert defined.json()["tag"] == "custom.mentor"
    duplicate = await api.request(
        "POST", "/v1/attributes", json={"tag": "custom.mentor", "name": "M"}
    )
    assert duplicate.status_code == 409
    bad = await api.request("POST", "/v1/attributes", json={"tag": "custom.Bad Tag", "name": "M"})
    assert bad.status_code == 400
    listing = (await api.request("GET", "/v1/attributes")).json()
    tags = {a["tag"]: a for a in listing}
    assert tags["recipient.name"]["isDefault"] is True
    assert tags["custom.mentor"]["defaultValue"] == "TBD"

    plain = await create_credential(api, group_id)
    assert plain["attributes"]["custom.mentor"] == "TBD"
    mentored = await create_credential(api, group_id, customAttributes={"custom.mentor": "Jane"})
    assert mentored["customAttributes"] == {"custom.mentor": "Jane"}
    assert mentored["attributes"]["custom.mentor"] == "Jane"


async def test_patch_changes_only_what_is_sent(api: CertifierClient, group_id: str) -> None:
    credential = await create_credential(
        api, group_id, expiryDate=(TODAY + timedelta(days=365)).isoformat()
    )
    path = f"/v1/credentials/{credential['id']}"
    renamed = await api.request("PATCH", path, json={"recipient": {"name": "Ada King"}})
    assert renamed.status_code == 200, renamed.text
    body = renamed.json()
    assert body["recipient"]["name"] == "Ada King"
    assert body["recipient"]["email"] == "ada@example.org"
    assert body["expiryDate"] == credential["expiryDate"]
    cleared = await api.request("PATCH", path, json={"expiryDate": None})
    assert cleared.json()["expiryDate"] is None
    for bad in ({"issueDate": None}, {"recipient": {"name": None}}, {"issueDate": "soon"}):
        response = await api.request("PATCH", path, json=bad)
        assert response.status_code == 400, bad
    reversed_dates = await api.request(
        "PATCH", path, json={"expiryDate": (TODAY - timedelta(days=400)).isoformat()}
    )
    assert reversed_dates.status_code == 400
    assert (await api.request("GET", path)).json()["expiryDate"] is None


async def test_delete(api: CertifierClient, group_id: str) -> None:
    credential = await create_credential(api, group_id)
    path = f"/v1/credentials/{credential['id']}"
    assert (await api.request("DELETE", path)).status_code == 204
    assert (await api.request("GET", path)).status_code == 404
    assert (await api.request("DELETE", path)).status_code == 404


async def test_a_template_with_credentials_cannot_be_deleted(
    api: CertifierClient, group_id: str
) -> None:
    credential = await create_credential(api, group_id)
    refused = await api.request("DELETE", f"/v1/groups/{group_id}")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "conflict"
    await api.request("DELETE", f"/v1/credentials/{credential['id']}")
    assert (await api.request("DELETE", f"/v1/groups/{group_id}")).status_code == 204


async def test_credentials_are_private_to_their_organization(
    api: CertifierClient, other_api: CertifierClient, group_id: str
) -> None:
    credential = await create_credential(api, group_id)
    path = f"/v1/credentials/{credential['id']}"
    for method, suffix in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/issue")):
        response = await other_api.request(method, path + suffix, json={})
        assert response.status_code == 404, (method, suffix)
    assert (await other_api.request("GET", "/v1/credentials")).json()["data"] == []
    found = await other_api.request("POST", "/v1/credentials/search", json={})
    assert found.json()["data"] == []
    borrowed = await other_api.request(
        "POST", "/v1/credentials", json={"groupId": group_id, "recipient": {"name": "X"}}
    )
    assert borrowed.status_code == 404


async def test_list_pages(api: CertifierClient, group_id: str) -> None:
    ids = [(await create_credential(api, group_id))["id"] for _ in range(5)]
    first = (await api.request("GET", "/v1/credentials", params={"limit": 2})).json()
    assert [c["id"] for c in first["data"]] == ids[::-1][:2]
    second = (
        await api.request(
            "GET", "/v1/credentials", params={"limit": 2, "cursor": first["pagination"]["next"]}
        )
    ).json()
    assert [c["id"] for c in second["data"]] == ids[::-1][2:4]


async def test_interactions(api: CertifierClient, group_id: str) -> None:
    credential = await create_credential(api, group_id)
    recorded = await api.request(
        "POST",
        "/v1/credential-interactions",
        json={"credentialId": credential["id"], "eventType": "credential_viewed"},
    )
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["triggeredBy"] == "guest"
    unknown = await api.request(
        "POST",
        "/v1/credential-interactions",
        json={"credentialId": credential["id"], "eventType": "credential_eaten"},
    )
    assert unknown.status_code == 400
    naive = await api.request(
        "POST",
        "/v1/credential-interactions",
        json={
            "credentialId": credential["id"],
            "eventType": "credential_viewed",
            "triggeredAt": "2024-01-01T00:00:00",
        },
    )
    assert naive.status_code == 400
    listing = await api.request(
        "GET", "/v1/credential-interactions", params={"credentialId": credential["id"]}
    )
    assert [i["eventType"] for i in listing.json()["data"]] == ["credential_viewed"]


@pytest.mark.parametrize(
    "email", ["jane@corp.local", "ops@intranet.internal", "qa@example.test", "root@mailhost"]
)
async def test_intranet_addresses_are_accepted(
    api: CertifierClient, group_id: str, email: str
) -> None:
    credential = await create_credential(api, group_id, recipient={"name": "Jane", "email": email})
    assert credential["recipient"]["email"] == email


@pytest.mark.parametrize("email", ["jane@", "not an address", "a@b..c", "@corp.local"])
async def test_malformed_addresses_are_still_refused(
    api: CertifierClient, group_id: str, email: str
) -> None:
    body = {"groupId": group_id, "recipient": {"name": "Jane", "email": email}}
    response = await api.request("POST", "/v1/credentials", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "recipient.email"


async def test_attribute_objects_carry_id_type_and_timestamps(
    api: CertifierClient, other_api: CertifierClient
) -> None:
    defined = await api.request("POST", "/v1/attributes", json={"tag": "mentor", "name": "Mentor"})
    created = defined.json()
    assert set(created) == {
        "id", "type", "tag", "name", "isDefault", "defaultValue", "createdAt", "updatedAt"
    }  # fmt: skip
    assert created["type"] == "text" and len(created["id"]) == 26
    assert created["createdAt"].endswith("Z")
    listing = {a["tag"]: a for a in (await api.request("GET", "/v1/attributes")).json()}
    assert listing["custom.mentor"] == created
    assert listing["credential.issueDate"]["type"] == "date"
    assert listing["recipient.name"]["type"] == "text"
    theirs = {a["tag"]: a for a in (await other_api.request("GET", "/v1/attributes")).json()}
    assert theirs["recipient.name"]["id"] == listing["recipient.name"]["id"]
    assert "custom.mentor" not in theirs
    assert len({a["id"] for a in listing.values()}) == len(listing)
