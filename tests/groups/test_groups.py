"""Credential templates (groups): both request shapes, plans, PATCH semantics, lists, tenancy."""

import re
from typing import Any

import pytest

from tests.conftest import CertifierClient

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ULID = re.compile(r"^[0-9a-hjkmnp-tv-z]{26}$")


async def test_create_with_design_ids_keeps_their_order(api: CertifierClient) -> None:
    badge = await api.create_design("badge")
    certificate = await api.create_design("certificate")
    group = await api.create_group(
        name="Financial Markets",
        designIds=[badge, certificate],
        learningEventUrl="https://www.coursera.org/learn/financial-markets-global",
    )
    assert list(group) == [
        "id", "name", "learningEventUrl", "designIds",
        "certificateDesignId", "badgeDesignId", "emailTemplateId", "createdAt", "updatedAt",
    ]  # fmt: skip
    assert group["emailTemplateId"] is None, "no template chosen: the built-in email"
    assert ULID.match(str(group["id"]))
    assert group["designIds"] == [badge, certificate]
    assert group["certificateDesignId"] == certificate
    assert group["badgeDesignId"] == badge
    assert TIMESTAMP.match(str(group["createdAt"]))
    fetched = await api.request("GET", f"/v1/groups/{group['id']}")
    assert fetched.json() == group


async def test_create_with_the_legacy_fields(api: CertifierClient) -> None:
    certificate = await api.create_design("certificate")
    badge = await api.create_design("badge")
    group = await api.create_group(
        name="Legacy", certificateDesignId=certificate, badgeDesignId=badge
    )
    assert group["designIds"] == [certificate, badge]
    assert group["certificateDesignId"] == certificate
    assert group["learningEventUrl"] is None


async def test_legacy_field_must_name_a_design_of_its_type(api: CertifierClient) -> None:
    badge = await api.create_design("badge")
    response = await api.request(
        "POST", "/v1/groups", json={"name": "Wrong", "certificateDesignId": badge}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["param"] == "certificateDesignId"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"name": "No designs"}, "designIds"),
        ({"name": "Empty", "designIds": []}, "designIds"),
        ({"name": "", "designIds": ["DESIGN"]}, "name"),
        ({"name": "   ", "designIds": ["DESIGN"]}, "name"),
        ({"name": "x" * 256, "designIds": ["DESIGN"]}, "name"),
        ({"name": " " + "x" * 255, "designIds": ["DESIGN"]}, "name"),
        ({"name": 42, "designIds": ["DESIGN"]}, "name"),
        ({"designIds": ["DESIGN"]}, "name"),
        ({"name": "Bad id", "designIds": ["not-a-ulid"]}, "designIds[0]"),
        ({"name": "Twice", "designIds": ["DESIGN", "DESIGN"]}, "designIds[1]"),
        ({"name": "Both", "designIds": ["DESIGN"], "certificateDesignId": "DESIGN"}, "designIds"),
        ({"name": "U", "designIds": ["DESIGN"], "learningEventUrl": "ftp://x.org"}, "learningEventUrl"),  # noqa: E501
        ({"name": "U", "designIds": ["DESIGN"], "learningEventUrl": "not a url"}, "learningEventUrl"),  # noqa: E501
    ],
)  # fmt: skip
async def test_create_rejects_bad_input_naming_the_field(
    api: CertifierClient, body: dict[str, object], param: str
) -> None:
    design = await api.create_design()
    body = {
        key: ([design if item == "DESIGN" else item for item in value] if isinstance(value, list)
              else design if value == "DESIGN" else value)
        for key, value in body.items()
    }  # fmt: skip
    response = await api.request("POST", "/v1/groups", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["param"] == param
    assert param.split("[")[0] in error["message"]
    listing = await api.request("GET", "/v1/groups")
    assert listing.json()["data"] == []


async def test_unknown_design_is_not_found(api: CertifierClient) -> None:
    response = await api.request(
        "POST", "/v1/groups", json={"name": "X", "designIds": ["01hz2ej4yzdcfkq9fa78nhyj0x"]}
    )
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "The requested resource does not exist",
        }
    }


async def test_free_plan_allows_one_design_of_each_type(free_api: CertifierClient) -> None:
    first = await free_api.create_design("certificate")
    second = await free_api.create_design("certificate")
    badge = await free_api.create_design("badge")
    await free_api.create_group(name="One of each", designIds=[first, badge])
    response = await free_api.request(
        "POST", "/v1/groups", json={"name": "Two certificates", "designIds": [first, second]}
    )
    assert response.status_code == 402
    assert response.json()["error"] == {
        "code": "payment_required",
        "message": "The requested feature is only available to premium organizations",
    }


async def test_premium_plan_allows_several_designs_of_a_type(api: CertifierClient) -> None:
    designs = [await api.create_design("certificate") for _ in range(3)]
    group = await api.create_group(name="Many", designIds=designs)
    assert group["designIds"] == designs
    assert group["certificateDesignId"] == designs[0]
    assert group["badgeDesignId"] is None


async def test_patch_changes_only_what_is_sent(api: CertifierClient) -> None:
    design = await api.create_design()
    group = await api.create_group(
        name="Before", designIds=[design], learningEventUrl="https://example.org/course"
    )
    response = await api.request("PATCH", f"/v1/groups/{group['id']}", json={"name": "After"})
    assert response.status_code == 200
    patched = response.json()
    assert patched["name"] == "After"
    assert patched["learningEventUrl"] == "https://example.org/course"
    assert patched["designIds"] == [design]
    assert patched["createdAt"] == group["createdAt"]
    assert patched["updatedAt"] >= group["updatedAt"]

    empty = await api.request("PATCH", f"/v1/groups/{group['id']}", json={})
    assert empty.status_code == 200
    assert {k: v for k, v in empty.json().items() if k != "updatedAt"} == {
        k: v for k, v in patched.items() if k != "updatedAt"
    }


async def test_patch_replaces_the_design_list_and_clears_the_url(api: CertifierClient) -> None:
    first, second = await api.create_design(), await api.create_design("badge")
    group = await api.create_group(
        name="G", designIds=[first], learningEventUrl="https://example.org"
    )
    response = await api.request(
        "PATCH",
        f"/v1/groups/{group['id']}",
        json={"designIds": [second, first], "learningEventUrl": None},
    )
    assert response.status_code == 200, response.text
    assert response.json()["designIds"] == [second, first]
    assert response.json()["learningEventUrl"] is None
    again = await api.request("GET", f"/v1/groups/{group['id']}")
    assert again.json()["designIds"] == [second, first]


async def test_patch_with_legacy_fields_swaps_one_type(api: CertifierClient) -> None:
    certificate = await api.create_design("certificate")
    badge = await api.create_design("badge")
    new_certificate = await api.create_design("certificate")
    group = await api.create_group(name="G", designIds=[badge, certificate])
    response = await api.request(
        "PATCH", f"/v1/groups/{group['id']}", json={"certificateDesignId": new_certificate}
    )
    assert response.status_code == 200, response.text
    assert response.json()["designIds"] == [badge, new_certificate]

    removed = await api.request("PATCH", f"/v1/groups/{group['id']}", json={"badgeDesignId": None})
    assert removed.json()["designIds"] == [new_certificate]
    assert removed.json()["badgeDesignId"] is None

    last = await api.request(
        "PATCH", f"/v1/groups/{group['id']}", json={"certificateDesignId": None}
    )
    assert last.status_code == 400
    assert last.json()["error"]["param"] == "designIds"


@pytest.mark.parametrize(
    "body",
    [
        {"name": None},
        {"name": ""},
        {"designIds": None},
        {"designIds": []},
        {"designIds": ["01hz2ej4yzdcfkq9fa78nhyj0x"]},
        {"learningEventUrl": "javascript:alert(1)"},
    ],
)
async def test_failed_patch_changes_nothing(api: CertifierClient, body: dict[str, object]) -> None:
    design = await api.create_design()
    group = await api.create_group(name="Kept", designIds=[design])
    response = await api.request("PATCH", f"/v1/groups/{group['id']}", json=body)
    assert response.status_code in (400, 404)
    assert (await api.request("GET", f"/v1/groups/{group['id']}")).json() == group


async def test_free_plan_limit_applies_to_patch(free_api: CertifierClient) -> None:
    first, second = await free_api.create_design(), await free_api.create_design()
    group = await free_api.create_group(name="G", designIds=[first])
    response = await free_api.request(
        "PATCH", f"/v1/groups/{group['id']}", json={"designIds": [first, second]}
    )
    assert response.status_code == 402


async def test_delete_then_gone(api: CertifierClient) -> None:
    group = await api.create_group(name="G", designIds=[await api.create_design()])
    response = await api.request("DELETE", f"/v1/groups/{group['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert (await api.request("GET", f"/v1/groups/{group['id']}")).status_code == 404
    assert (await api.request("DELETE", f"/v1/groups/{group['id']}")).status_code == 404


@pytest.mark.parametrize("group_id", ["nope", "01HZ2EJ4YZDCFKQ9FA78NHYJ0X", "0" * 26, "x" * 300])
async def test_unknown_or_malformed_ids_are_not_found(api: CertifierClient, group_id: str) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        body = {"name": "x"} if method == "PATCH" else None
        response = await api.request(method, f"/v1/groups/{group_id}", json=body)
        assert response.status_code == 404, (method, response.text)
        assert response.json()["error"]["code"] == "not_found"


async def page(api: CertifierClient, cursor: str) -> dict[str, Any]:
    response = await api.request("GET", "/v1/groups", params={"limit": 10, "cursor": cursor})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_list_pages_forward_and_back_in_a_stable_order(api: CertifierClient) -> None:
    design = await api.create_design()
    created = [
        (await api.create_group(name=f"G{i:02d}", designIds=[design]))["id"] for i in range(25)
    ]
    newest_first = list(reversed(created))

    first = (await api.request("GET", "/v1/groups", params={"limit": 10})).json()
    assert [g["id"] for g in first["data"]] == newest_first[:10]
    assert first["pagination"]["prev"] is None
    assert all(g["designIds"] == [design] for g in first["data"])

    second = await page(api, first["pagination"]["next"])
    assert [g["id"] for g in second["data"]] == newest_first[10:20]

    third = await page(api, second["pagination"]["next"])
    assert [g["id"] for g in third["data"]] == newest_first[20:]
    assert third["pagination"]["next"] is None

    back = await page(api, third["pagination"]["prev"])
    assert back["data"] == second["data"]
    assert back["pagination"]["next"] is not None
    assert back["pagination"]["prev"] is not None

    default = (await api.request("GET", "/v1/groups")).json()
    assert len(default["data"]) == 20


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"cursor": "eyJrIjoiMSIsImQiOiJuZXh0In0"}, "cursor"),
    ],
)
async def test_list_rejects_bad_paging(
    api: CertifierClient, params: dict[str, str | int], param: str
) -> None:
    response = await api.request("GET", "/v1/groups", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


async def test_each_tenant_sees_only_its_own_templates(
    api: CertifierClient, other_api: CertifierClient
) -> None:
    mine = await api.create_group(name="Mine", designIds=[await api.create_design()])
    theirs_design = await other_api.create_design()
    gid = mine["id"]
    assert (await other_api.request("GET", f"/v1/groups/{gid}")).status_code == 404
    assert (
        await other_api.request("PATCH", f"/v1/groups/{gid}", json={"name": "Stolen"})
    ).status_code == 404
    assert (await other_api.request("DELETE", f"/v1/groups/{gid}")).status_code == 404
    assert (await other_api.request("GET", "/v1/groups")).json()["data"] == []
    # Nor can a template borrow another organization's design.
    borrowed = await api.request(
        "POST", "/v1/groups", json={"name": "Borrow", "designIds": [theirs_design]}
    )
    assert borrowed.status_code == 404
    assert (await api.request("GET", f"/v1/groups/{gid}")).json()["name"] == "Mine"
