"""Baked badges: the signed credential inside PNG and SVG, and verifying such files."""

import json
import zlib

import pytest

from laurel.vc.baking import (
    NotBaked,
    bake_png,
    bake_svg,
    unbake,
)
from tests.conftest import CertifierClient
from tests.credentials.conftest import create_credential
from tests.fixtures.images import plain_png

CREDENTIAL = {"id": "urn:x", "name": "Tricky ]]> name", "nested": {"ok": True}}


def test_png_round_trip_replaces_an_earlier_credential() -> None:
    once = bake_png(plain_png(), {"old": True})
    twice = bake_png(once, CREDENTIAL)
    assert unbake(twice) == CREDENTIAL
    assert twice.count(b"openbadgecredential") == 1


def test_a_compressed_itxt_chunk_is_read_too() -> None:
    png = plain_png()
    text = zlib.compress(json.dumps(CREDENTIAL).encode())
    data = b"openbadgecredential\x00\x01\x00\x00\x00" + text
    chunk = len(data).to_bytes(4, "big") + b"iTXt" + data
    chunk += zlib.crc32(b"iTXt" + data).to_bytes(4, "big")
    assert unbake(png[:-12] + chunk + png[-12:]) == CREDENTIAL


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg" width="9"><circle r="4"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"/>',
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"\n  viewBox="0 0 9 9">'
        "x</svg>",
    ],
)
def test_svg_round_trip(svg: str) -> None:
    assert unbake(bake_svg(svg, CREDENTIAL).encode()) == CREDENTIAL


def test_files_without_a_credential() -> None:
    for content in (plain_png(), b'<svg xmlns="http://www.w3.org/2000/svg"/>', b"<svg"):
        with pytest.raises(NotBaked):
            unbake(content)


async def test_baked_badges_from_the_api_verify(api: CertifierClient, group_id: str) -> None:
    credential = await create_credential(api, group_id, recipient={"name": "Ada <Countess>"})
    await api.request("POST", f"/v1/credentials/{credential['id']}/issue")
    vc = (await api.request("GET", f"/v1/credentials/{credential['id']}/vc")).json()
    png = await api.request("GET", f"/v1/credentials/{credential['id']}/badge.png")
    assert png.headers["content-type"] == "image/png"
    assert unbake(png.content) == vc
    svg = await api.request("GET", f"/v1/credentials/{credential['id']}/badge.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "Ada &lt;Countess&gt;" in svg.text
    assert unbake(svg.content) == vc

    verdict = await api.http.post(
        "/v1/verify", content=png.content, headers={"Content-Type": "image/png"}
    )
    assert verdict.json()["verified"] is True, verdict.text
    forged = svg.text.replace("Financial Markets", "Rocket Science")
    verdict = await api.http.post(
        "/v1/verify", content=forged.encode(), headers={"Content-Type": "image/svg+xml"}
    )
    assert verdict.json()["verified"] is False
    plain = await api.http.post(
        "/v1/verify", content=plain_png(), headers={"Content-Type": "image/png"}
    )
    assert plain.status_code == 400
    assert plain.json()["error"]["param"] == "badge"
    draft = await create_credential(api, group_id)
    assert (await api.request("GET", f"/v1/credentials/{draft['id']}/badge.png")).status_code == 409
