"""Email templates: CRUD, validation naming the field, attributes, lists, tenancy, and their use
by credential templates (groups)."""

import re
from typing import Any

import pytest

from laurel.attributes.schemas import BUILT_IN_ATTRIBUTES
from tests.conftest import CertifierClient

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ULID = re.compile(r"^[0-9a-hjkmnp-tv-z]{26}$")
MISSING_ID = "01hz2ej4yzdcfkq9fa78nhyj0x"
WELCOME = {
    "name": "Welcome",
    "subject": "Your [group.name] credential, [recipient.name]",
    "body": "Hello [recipient.name],\n\nWell done!",
}


async def create_template(api: CertifierClient, **overrides: object) -> dict[str, Any]:
    response = await api.request("POST", "/v1/email-templates", json={**WELCOME, **overrides})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_create_get_update_delete(api: CertifierClient) -> None:
    created = await create_template(api)
    assert list(created) == ["id", "name", "subject", "body", "createdAt", "updatedAt"]
    assert ULID.match(created["id"])
    assert TIMESTAMP.match(created["createdAt"]) and TIMESTAMP.match(created["updatedAt"])
    assert {key: created[key] for key in WELCOME} == WELCOME
    path = f"/v1/email-templates/{created['id']}"
    assert (await api.request("GET", path)).json() == created

    patched = await api.request("PATCH", path, json={"subject": "Congratulations!"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["subject"] == "Congratulations!"
    assert patched.json()["name"] == "Welcome", "what is not sent stays"
    assert patched.json()["body"] == WELCOME["body"]
    assert patched.json()["updatedAt"] >= created["updatedAt"]
    assert (await api.request("GET", path)).json() == patched.json()

    deleted = await api.request("DELETE", path)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (await api.request("GET", path)).status_code == 404
    again = await api.request("DELETE", path)
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "not_found"


async def test_text_is_kept_as_sent_with_unix_line_breaks(api: CertifierClient) -> None:
    created = await create_template(
        api,
        name="  Spaced  ",
        body="First line\r\nsecond line\r\n\r\nNext paragraph <b>as text</b>",
    )
    assert created["name"] == "Spaced"
    assert created["body"] == "First line\nsecond line\n\nNext paragraph <b>as text</b>"


async def test_every_attribute_of_the_organization_may_be_used(api: CertifierClient) -> None:
    defined = await api.request("POST", "/v1/attributes", json={"tag": "mentor", "name": "Mentor"})
    assert defined.status_code == 200
    every = " ".join(f"[{tag}]" for tag in [*BUILT_IN_ATTRIBUTES, "custom.mentor", "issuer.name"])
    created = await create_template(api, subject="[issuer.name]: [group.name]", body=every)
    assert created["body"] == every


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"subject": "S", "body": "B"}, "name"),
        ({"name": "N", "body": "B"}, "subject"),
        ({"name": "N", "subject": "S"}, "body"),
        ({"name": "", "subject": "S", "body": "B"}, "name"),
        ({"name": "   ", "subject": "S", "body": "B"}, "name"),
        ({"name": "x" * 256, "subject": "S", "body": "B"}, "name"),
        ({"name": 7, "subject": "S", "body": "B"}, "name"),
        ({"name": "N", "subject": "", "body": "B"}, "subject"),
        ({"name": "N", "subject": "x" * 256, "body": "B"}, "subject"),
        ({"name": "N", "subject": "Hi\r\nBcc: evil@example.org", "body": "B"}, "subject"),
        ({"name": "N", "subject": "Hi\nthere", "body": "B"}, "subject"),
        ({"name": "N", "subject": "S", "body": ""}, "body"),
        ({"name": "N", "subject": "S", "body": "x" * 20_001}, "body"),
        ({"name": "N", "subject": "S", "body": ["B"]}, "body"),
        ({"name": "N", "subject": "Hi [recipient.nmae]", "body": "B"}, "subject"),
        ({"name": "N", "subject": "S", "body": "Thanks to [custom.mentor]"}, "body"),
        ({"name": "N", "subject": "S", "body": "See [Terms] below"}, "body"),
    ],
)  # fmt: skip
async def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    api: CertifierClient, body: dict[str, object], param: str
) -> None:
    response = await api.request("POST", "/v1/email-templates", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["param"] == param
    assert error["message"].startswith(f"{param}: ")
    assert (await api.request("GET", "/v1/email-templates")).json()["data"] == []


async def test_the_longest_allowed_values_are_accepted(api: CertifierClient) -> None:
    created = await create_template(api, name="n" * 255, subject="s" * 255, body="b" * 20_000)
    assert (len(created["name"]), len(created["subject"]), len(created["body"])) == (
        255,
        255,
        20_000,
    )


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"name": None}, "name"),
        ({"subject": None}, "subject"),
        ({"body": None}, "body"),
        ({"subject": "Line\none"}, "subject"),
        ({"body": "Dear [recipient.surname]"}, "body"),
        ({"name": "x" * 256}, "name"),
    ],
)
async def test_a_bad_patch_is_refused_and_changes_nothing(
    api: CertifierClient, change: dict[str, object], param: str
) -> None:
    created = await create_template(api)
    path = f"/v1/email-templates/{created['id']}"
    response = await api.request("PATCH", path, json={"name": "Renamed", **change})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert (await api.request("GET", path)).json() == created


async def test_malformed_and_unknown_ids_are_not_found(api: CertifierClient) -> None:
    for template_id in ("not-an-id", MISSING_ID):
        path = f"/v1/email-templates/{template_id}"
        for method, body in (("GET", None), ("PATCH", {"name": "X"}), ("DELETE", None)):
            response = await api.request(method, path, json=body)
            assert response.status_code == 404, (method, template_id)
            assert response.json()["error"]["code"] == "not_found"


async def test_lists_page_newest_first_in_the_certifier_envelope(api: CertifierClient) -> None:
    ids = [(await create_template(api, name=f"T{n}"))["id"] for n in range(5)]
    newest_first = ids[::-1]

    async def page(**params: str | int) -> dict[str, Any]:
        response = await api.request("GET", "/v1/email-templates", params=params)
        assert response.status_code == 200, response.text
        return dict(response.json())

    first = await page(limit=2)
    assert list(first) == ["data", "pagination"]
    assert [item["id"] for item in first["data"]] == newest_first[:2]
    assert list(first["data"][0]) == ["id", "name", "subject", "body", "createdAt", "updatedAt"]
    assert first["pagination"]["prev"] is None
    second = await page(limit=2, cursor=first["pagination"]["next"])
    assert [item["id"] for item in second["data"]] == newest_first[2:4]
    third = await page(limit=2, cursor=second["pagination"]["next"])
    assert [item["id"] for item in third["data"]] == newest_first[4:]
    assert third["pagination"]["next"] is None
    back = await page(limit=2, cursor=third["pagination"]["prev"])
    assert [item["id"] for item in back["data"]] == newest_first[2:4]
    everything = await page()
    assert [item["id"] for item in everything["data"]] == newest_first
    bad_paging: list[tuple[dict[str, str | int], str]] = [
        ({"limit": 0}, "limit"),
        ({"cursor": "garbage!"}, "cursor"),
    ]
    for params, param in bad_paging:
        response = await api.request("GET", "/v1/email-templates", params=params)
        assert response.status_code == 400
        assert response.json()["error"]["param"] == param


async def test_another_organizations_templates_are_not_there(
    api: CertifierClient, other_api: CertifierClient
) -> None:
    mine = await create_template(api)
    path = f"/v1/email-templates/{mine['id']}"
    for method, body in (("GET", None), ("PATCH", {"name": "Stolen"}), ("DELETE", None)):
        response = await other_api.request(method, path, json=body)
        assert response.status_code == 404, method
        assert response.json()["error"]["code"] == "not_found"
    assert (await other_api.request("GET", "/v1/email-templates")).json()["data"] == []
    assert (await api.request("GET", path)).json() == mine, "untouched"


async def test_custom_attributes_are_the_organizations_own(
    api: CertifierClient, other_api: CertifierClient
) -> None:
    defined = await api.request("POST", "/v1/attributes", json={"tag": "mentor", "name": "Mentor"})
    assert defined.status_code == 200
    await create_template(api, body="Your mentor: [custom.mentor]")
    response = await other_api.request(
        "POST", "/v1/email-templates", json={**WELCOME, "body": "Your mentor: [custom.mentor]"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "body"


async def test_credential_templates_choose_an_email_template(api: CertifierClient) -> None:
    first = await create_template(api, name="First")
    second = await create_template(api, name="Second")
    design = await api.create_design()
    group = await api.create_group(name="G", designIds=[design], emailTemplateId=first["id"])
    assert group["emailTemplateId"] == first["id"]
    path = f"/v1/groups/{group['id']}"
    assert (await api.request("GET", path)).json()["emailTemplateId"] == first["id"]
    listed = (await api.request("GET", "/v1/groups")).json()["data"]
    assert [item["emailTemplateId"] for item in listed] == [first["id"]]

    changed = await api.request("PATCH", path, json={"emailTemplateId": second["id"]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["emailTemplateId"] == second["id"]
    renamed = await api.request("PATCH", path, json={"name": "Renamed"})
    assert renamed.json()["emailTemplateId"] == second["id"], "not sent: unchanged"
    cleared = await api.request("PATCH", path, json={"emailTemplateId": None})
    assert cleared.status_code == 200
    assert cleared.json()["emailTemplateId"] is None
    assert (await api.request("GET", path)).json()["emailTemplateId"] is None


async def test_the_legacy_request_shape_chooses_one_too(api: CertifierClient) -> None:
    chosen = await create_template(api)
    certificate = await api.create_design("certificate")
    group = await api.create_group(
        name="Legacy", certificateDesignId=certificate, emailTemplateId=chosen["id"]
    )
    assert group["emailTemplateId"] == chosen["id"]
    assert group["certificateDesignId"] == certificate
    badge = await api.create_design("badge")
    patched = await api.request(
        "PATCH", f"/v1/groups/{group['id']}", json={"badgeDesignId": badge, "emailTemplateId": None}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["badgeDesignId"] == badge
    assert patched.json()["emailTemplateId"] is None


async def test_a_template_in_use_cannot_be_deleted(api: CertifierClient) -> None:
    used = await create_template(api)
    group = await api.create_group(
        name="G", designIds=[await api.create_design()], emailTemplateId=used["id"]
    )
    path = f"/v1/email-templates/{used['id']}"
    refused = await api.request("DELETE", path)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "conflict"
    assert (await api.request("GET", path)).status_code == 200
    await api.request("PATCH", f"/v1/groups/{group['id']}", json={"emailTemplateId": None})
    assert (await api.request("DELETE", path)).status_code == 204


@pytest.mark.parametrize("template", ["foreign", "missing", "malformed"])
async def test_a_credential_template_refuses_an_email_template_not_of_its_organization(
    api: CertifierClient, other_api: CertifierClient, template: str
) -> None:
    template_id = {
        "foreign": (await create_template(other_api))["id"],
        "missing": MISSING_ID,
        "malformed": "not-an-id",
    }[template]
    design = await api.create_design()
    body = {"name": "G", "designIds": [design], "emailTemplateId": template_id}
    created = await api.request("POST", "/v1/groups", json=body)
    assert created.status_code == 400, created.text
    assert created.json()["error"]["code"] == "validation_error"
    assert created.json()["error"]["param"] == "emailTemplateId"
    assert (await api.request("GET", "/v1/groups")).json()["data"] == []

    group = await api.create_group(name="G", designIds=[design])
    change = {"name": "Changed", "emailTemplateId": template_id}
    patched = await api.request("PATCH", f"/v1/groups/{group['id']}", json=change)
    assert patched.status_code == 400
    assert patched.json()["error"]["param"] == "emailTemplateId"
    assert (await api.request("GET", f"/v1/groups/{group['id']}")).json() == group
