"""The verify page through the ASGI app: files, baked badges, pasted JSON, tampering, bad input."""

import json

from laurel.vc.baking import bake_png
from tests.conftest import CertifierClient
from tests.fixtures.images import plain_png
from tests.pages.conftest import interaction_types, issue_signed


def upload(content: bytes, filename: str, media_type: str) -> dict[str, tuple[str, bytes, str]]:
    return {"credential": (filename, content, media_type)}


async def test_the_form_labels_its_fields(api: CertifierClient) -> None:
    page = await api.http.get("/verify")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<label for="credential-file">' in page.text
    assert '<input type="file" id="credential-file" name="credential"' in page.text
    assert '<label for="credential-json">' in page.text
    assert 'enctype="multipart/form-data"' in page.text


async def test_a_credential_file_verifies_and_is_recorded(
    api: CertifierClient, group_id: str
) -> None:
    credential, vc = await issue_signed(api, group_id)
    response = await api.http.post(
        "/verify", files=upload(json.dumps(vc).encode(), "ada.json", "application/json")
    )
    assert response.status_code == 200
    assert "Verified: every check passed." in response.text
    assert "Result: Financial Markets" in response.text
    assert f'<a href="/credentials/{credential["publicId"]}">See its page</a>' in response.text
    for check in ("proof", "issuer", "validity", "revocation", "shape"):
        assert f'data-check="{check}" data-outcome="passed"' in response.text
    assert await interaction_types(api, credential["id"]) == ["credential_verified"]


async def test_a_baked_badge_and_pasted_json_verify_too(
    api: CertifierClient, group_id: str
) -> None:
    _, vc = await issue_signed(api, group_id)
    badge = bake_png(plain_png(), vc)
    response = await api.http.post("/verify", files=upload(badge, "badge.png", "image/png"))
    assert "Verified: every check passed." in response.text
    badge_svg = await api.http.get(vc["id"].removeprefix("http://127.0.0.1:8000") + "/badge.svg")
    response = await api.http.post(
        "/verify", files=upload(badge_svg.content, "badge.svg", "image/svg+xml")
    )
    assert "Verified: every check passed." in response.text
    pasted = await api.http.post("/verify", data={"json": json.dumps(vc)}, files={})
    assert pasted.status_code == 200
    assert "Verified: every check passed." in pasted.text


async def test_tampering_fails_the_signature(api: CertifierClient, group_id: str) -> None:
    credential, vc = await issue_signed(api, group_id)
    tampered = {**vc, "name": "Something Grander"}
    response = await api.http.post(
        "/verify", files=upload(json.dumps(tampered).encode(), "ada.json", "application/json")
    )
    assert response.status_code == 200
    assert "Not verified: at least one check failed." in response.text
    assert 'data-check="proof" data-outcome="failed"' in response.text
    assert "The digital signature does not match" in response.text
    assert "Result: Something Grander" in response.text
    assert await interaction_types(api, credential["id"]) == []  # a forgery is not counted


async def test_another_servers_credential_is_not_recorded(
    api: CertifierClient, group_id: str
) -> None:
    credential, vc = await issue_signed(api, group_id)
    foreign = {**vc, "id": "https://elsewhere.example/credentials/1"}
    response = await api.http.post("/verify", data={"json": json.dumps(foreign)}, files={})
    assert response.status_code == 200
    assert "See its page" not in response.text
    assert await interaction_types(api, credential["id"]) == []


async def test_bad_input_is_explained_with_a_400(api: CertifierClient) -> None:
    cases = [
        (upload(b"not json at all", "x.json", "application/json"), "not valid JSON"),
        (upload(b"[1, 2]", "x.json", "application/json"), "A credential is a JSON object"),
        (upload(plain_png(), "plain.png", "image/png"), "not a badge with a credential"),
        (upload(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg", "image/svg+xml"),
         "not a badge with a credential"),
        (upload(b"<svg", "x.svg", "image/svg+xml"), "not a badge with a credential"),
        (upload(b"\x00\xff\xfe binary", "x.bin", "application/octet-stream"), "not valid JSON"),
        ({}, "Choose a credential file or paste"),
    ]  # fmt: skip
    for files, message in cases:
        response = await api.http.post("/verify", files=files, data={"json": ""})
        assert response.status_code == 400, (files, response.text)
        assert response.headers["content-type"].startswith("text/html")
        assert 'role="alert"' in response.text
        assert message in response.text, (message, response.text)

    pasted = await api.http.post("/verify", data={"json": '{"unclosed": '}, files={})
    assert pasted.status_code == 400
    assert "{&#34;unclosed&#34;: </textarea>" in pasted.text, "what was pasted is kept"

    not_a_form = await api.http.post(
        "/verify", content=b"{}", headers={"Content-Type": "application/json"}
    )
    assert not_a_form.status_code == 400
    assert "Send the form" in not_a_form.text
    broken = await api.http.post(
        "/verify",
        content=b'--x\r\nContent-Disposition: form-data; name="credential"\r\n',
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert broken.status_code == 400
