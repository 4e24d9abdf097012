"""The version mechanism, exercised with made-up newer versions on the real app."""

from typing import Any

import pytest
from fastapi import FastAPI

from laurel.kit.errors import InvalidVersion, MissingVersion
from laurel.kit.versioning import CERTIFIER_VERSIONS, Version, VersionBundle, VersionChange
from tests.conftest import VERSION, CertifierClient


class AddMarker(VersionChange):
    routes = frozenset({"groups.get"})

    def downgrade_response(self, route: str, body: Any) -> Any:
        body.setdefault("trail", []).append("2031")
        return body


class AddEarlierMarker(VersionChange):
    routes = frozenset({"groups.get"})

    def downgrade_response(self, route: str, body: Any) -> Any:
        body.setdefault("trail", []).append("2030")
        return body


def test_resolve() -> None:
    assert CERTIFIER_VERSIONS.resolve(" 2022-10-26 ") == "2022-10-26"
    with pytest.raises(MissingVersion):
        CERTIFIER_VERSIONS.resolve(None)
    with pytest.raises(InvalidVersion):
        CERTIFIER_VERSIONS.resolve("2023-01-01")


def test_versions_must_be_newest_first() -> None:
    with pytest.raises(ValueError, match="newest first"):
        VersionBundle(Version("2020-01-01"), Version("2021-01-01"))


def test_responses_are_downgraded_newest_change_first() -> None:
    bundle = VersionBundle(
        Version("2031-01-01", [AddMarker()]),
        Version("2030-01-01", [AddEarlierMarker()]),
        Version("2022-10-26"),
    )
    assert bundle.downgrade_response("2022-10-26", "groups.get", {}) == {"trail": ["2031", "2030"]}
    assert bundle.downgrade_response("2030-01-01", "groups.get", {}) == {"trail": ["2031"]}
    assert bundle.downgrade_response("2031-01-01", "groups.get", {}) == {}
    assert not bundle.touches_response("2022-10-26", "groups.list")


async def test_a_client_pinned_to_an_older_version_gets_the_older_shape(
    app: FastAPI, api: CertifierClient
) -> None:
    class NameWasTitle(VersionChange):
        """Pretend clients before 2030 called a template's name `title`."""

        routes = frozenset({"groups.get"})

        def downgrade_response(self, route: str, body: Any) -> Any:
            body["title"] = body.pop("name")
            return body

    app.state.versions = VersionBundle(Version("2030-01-01", [NameWasTitle()]), Version(VERSION))
    design = await api.create_design()
    group = await api.create_group(name="Pinned", designIds=[design])
    old = await api.request("GET", f"/v1/groups/{group['id']}")
    assert old.json()["title"] == "Pinned"
    assert "name" not in old.json()
    assert int(old.headers["content-length"]) == len(old.content)
    new = await api.request(
        "GET", f"/v1/groups/{group['id']}", headers={"Certifier-Version": "2030-01-01"}
    )
    assert new.json()["name"] == "Pinned"
    assert "title" not in new.json()
    untouched = await api.request("GET", "/v1/groups")
    assert untouched.json()["data"][0]["name"] == "Pinned"


async def test_requests_are_upgraded_before_validation(app: FastAPI, api: CertifierClient) -> None:
    class LegacyLabel(VersionChange):
        """Older clients sent `label`; the head calls it `name`."""

        routes = frozenset({"groups.create"})

        def upgrade_request(self, route: str, body: Any) -> Any:
            body["name"] = body.pop("label")
            return body

    app.state.versions = VersionBundle(Version("2030-01-01", [LegacyLabel()]), Version(VERSION))
    design = await api.create_design()
    response = await api.request(
        "POST", "/v1/groups", json={"label": "From label", "designIds": [design]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "From label"
    current = await api.request(
        "POST",
        "/v1/groups",
        json={"label": "ignored", "designIds": [design]},
        headers={"Certifier-Version": "2030-01-01"},
    )
    assert current.status_code == 400
    assert current.json()["error"]["param"] == "name"


def test_the_supported_versions_are_exactly_these() -> None:
    assert CERTIFIER_VERSIONS.dates == ["2022-10-26"]
