"""POST /v1/credentials/search: the filter language, sorting, paging and its bounds."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import CertifierClient
from tests.credentials.conftest import create_credential

TODAY = datetime.now(UTC).date()


@pytest.fixture
async def people(api: CertifierClient, group_id: str) -> dict[str, str]:
    other_group = (await api.create_group(name="Other", designIds=[await api.create_design()]))[
        "id"
    ]
    made = {
        "ada": await create_credential(
            api, group_id, recipient={"name": "Ada Lovelace", "email": "ada@acme.org"},
            issueDate=(TODAY - timedelta(days=10)).isoformat(),
        ),
        "grace": await create_credential(
            api, group_id, recipient={"name": "Grace Hopper", "email": "grace@navy.mil"},
            issueDate=(TODAY - timedelta(days=5)).isoformat(),
            expiryDate=(TODAY - timedelta(days=1)).isoformat(),
        ),
        "alan": await create_credential(
            api, str(other_group), recipient={"name": "Alan Turing", "email": "alan@acme.org"},
        ),
        "percent": await create_credential(
            api, group_id, recipient={"name": "100% Done_", "email": "pct@x.org"}
        ),
    }  # fmt: skip
    for key in ("ada", "grace"):
        await api.request("POST", f"/v1/credentials/{made[key]['id']}/issue")
    return {key: str(value["id"]) for key, value in made.items()} | {
        "other_group": str(other_group)
    }


async def search(api: CertifierClient, body: Mapping[str, object]) -> list[str]:
    response = await api.request("POST", "/v1/credentials/search", json=body)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["data"]]


async def test_filters(api: CertifierClient, people: dict[str, str], group_id: str) -> None:
    def ids(*names: str) -> set[str]:
        return {people[n] for n in names}

    everyone = ids("ada", "grace", "alan", "percent")
    assert set(await search(api, {})) == everyone
    assert set(
        await search(api, {"filter": {"recipient.email": {"endsWith": "@ACME.org"}}})
    ) == ids("ada", "alan")
    assert set(await search(api, {"filter": {"status": {"equals": "issued"}}})) == ids("ada")
    assert set(await search(api, {"filter": {"status": {"in": ["expired", "draft"]}}})) == ids(
        "grace", "alan", "percent"
    )
    assert set(
        await search(api, {"filter": {"groupId": {"equals": people["other_group"]}}})
    ) == ids("alan")
    assert set(await search(api, {"filter": {"NOT": [{"groupId": {"equals": group_id}}]}})) == ids(
        "alan"
    )
    assert set(
        await search(
            api,
            {
                "filter": {
                    "OR": [
                        {"recipient.name": {"startsWith": "gra"}},
                        {"recipient.name": {"contains": "TURING"}},
                    ]
                }
            },
        )
    ) == ids("grace", "alan")
    assert set(
        await search(
            api,
            {
                "filter": {
                    "AND": [
                        {"recipient.email": {"contains": "acme"}},
                        {"status": {"equals": "draft"}},
                    ]
                }
            },
        )
    ) == ids("alan")
    # LIKE wildcards in values are matched literally.
    assert set(await search(api, {"filter": {"recipient.name": {"contains": "%"}}})) == ids(
        "percent"
    )
    assert set(await search(api, {"filter": {"recipient.name": {"endsWith": "_"}}})) == ids(
        "percent"
    )
    before = (TODAY - timedelta(days=7)).isoformat()
    assert set(await search(api, {"filter": {"issueDate": {"lt": before}}})) == ids("ada")
    assert set(await search(api, {"filter": {"expiryDate": {"lte": TODAY.isoformat()}}})) == ids(
        "grace"
    )
    assert (
        set(await search(api, {"filter": {"createdAt": {"gte": "2000-01-01T00:00:00Z"}}}))
        == everyone
    )
    # A value that looks like SQL is only ever a value.
    assert await search(api, {"filter": {"recipient.name": {"equals": "x' OR '1'='1"}}}) == []


async def test_sort_and_pages(api: CertifierClient, people: dict[str, str]) -> None:
    by_issue = await search(api, {"sort": {"property": "issueDate", "order": "asc"}})
    assert by_issue[:2] == [people["ada"], people["grace"]]
    first = await api.request("POST", "/v1/credentials/search", json={"limit": 3})
    assert len(first.json()["data"]) == 3
    cursor = first.json()["pagination"]["next"]
    rest = await api.request("POST", "/v1/credentials/search", json={"limit": 3, "cursor": cursor})
    assert len(rest.json()["data"]) == 1
    assert rest.json()["pagination"]["next"] is None
    seen = [c["id"] for c in first.json()["data"] + rest.json()["data"]]
    assert sorted(seen) == sorted(v for k, v in people.items() if k != "other_group")


@pytest.mark.parametrize(
    "body",
    [
        {"filter": {"salary": {"equals": "1"}}},
        {"filter": {"status": {"equals": "lost"}}},
        {"filter": {"status": {"contains": "iss"}}},
        {"filter": {"issueDate": {"gt": "yesterday"}}},
        {"filter": {"createdAt": {"gt": "2024-01-01T00:00:00"}}},
        {"filter": {"recipient.name": {"in": []}}},
        {"filter": {"recipient.name": {"equals": 5}}},
        {"filter": {"AND": []}},
        {"filter": {"AND": [{}], "OR": []}},
        {"filter": {"AND": [{"AND": [{"AND": [{"AND": [{"AND": [{"AND": [{"AND": [
            {"status": {"equals": "draft"}}]}]}]}]}]}]}]}},
        {"filter": {"OR": [{"status": {"equals": "draft"}}] * 101}},
        {"sort": {"property": "salary"}},
        {"filter": {"recipient": {"phone": {"equals": "1"}}}},
        {"filter": {"recipient": {}}},
        {"filter": {"recipient": {"email": "ada@acme.org"}}},
        {"limit": 101},
        {"cursor": "not-a-cursor"},
    ],
)  # fmt: skip
async def test_bad_searches_are_400s(api: CertifierClient, body: dict[str, object]) -> None:
    response = await api.request("POST", "/v1/credentials/search", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "validation_error"


async def test_the_nested_recipient_form_certifier_documents(
    api: CertifierClient, people: dict[str, str]
) -> None:
    def issued_to_addresses_ending(suffix: str) -> dict[str, object]:
        return {
            "filter": {
                "AND": [
                    {"status": {"equals": "issued"}},
                    {"recipient": {"email": {"endsWith": suffix}}},
                ]
            }
        }

    assert await search(api, issued_to_addresses_ending("@acme.com")) == []
    assert await search(api, issued_to_addresses_ending("@acme.org")) == [people["ada"]]
    by_name = {"filter": {"recipient": {"name": {"contains": "hopper"}}}}
    assert await search(api, by_name) == [people["grace"]]
    both = {
        "filter": {"recipient": {"name": {"startsWith": "a"}, "email": {"endsWith": "acme.org"}}}
    }
    assert set(await search(api, both)) == {people["ada"], people["alan"]}
