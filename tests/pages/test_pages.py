"""The public pages through the ASGI app: negotiation, content, escaping, downloads, sharing."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI

from laurel.app import create_app
from laurel.config import Settings
from laurel.vc.baking import unbake
from tests.conftest import CertifierClient, make_client
from tests.pages.conftest import BROWSER, interaction_types, issue_signed, revoke

TODAY = datetime.now(UTC).date()
PUBLIC_URL = "http://127.0.0.1:8000"  # the default LAUREL_PUBLIC_URL the tests run with


def meta(html: str, name: str) -> str:
    """The content of a <meta property|name=...> tag, unescaped."""
    match = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', html)
    assert match, f"no {name} meta tag"
    return unescape(match[1])


async def test_browsers_get_the_page_and_machines_the_signed_credential(
    api: CertifierClient, group_id: str
) -> None:
    credential, vc = await issue_signed(api, group_id)
    path = f"/credentials/{credential['publicId']}"

    page = await api.http.get(path, headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["vary"] == "Accept"
    assert "default-src 'none'" in page.headers["content-security-policy"]

    machine_accepts = (
        None,
        "*/*",
        "application/json",
        "application/ld+json",
        "application/json, text/html",
    )
    for accept in machine_accepts:
        headers = {"Accept": accept} if accept else {}
        machine = await api.http.get(path, headers=headers)
        assert machine.status_code == 200, accept
        assert machine.headers["content-type"] == "application/json", accept
        assert machine.json() == vc, accept
        assert machine.headers["vary"] == "Accept"
        assert machine.headers["cache-control"] == "no-cache"

    only_html = await api.http.get(path, headers={"Accept": "text/html"})
    assert only_html.headers["content-type"].startswith("text/html")
    json_first = await api.http.get(
        path, headers={"Accept": "application/json;q=1, text/html;q=0.5"}
    )
    assert json_first.json() == vc


async def test_the_page_shows_the_credential_and_its_live_verification(
    api: CertifierClient, tenant: object
) -> None:
    design = await api.create_design()
    group = await api.create_group(
        name="Financial Markets",
        designIds=[design],
        learningEventUrl="https://learn.example.org/financial-markets",
    )
    await api.request("PATCH", "/v1/issuer", json={"url": "https://acme.example.org"})
    credential, _ = await issue_signed(
        api,
        str(group["id"]),
        issueDate="2025-03-07",
        expiryDate=(TODAY + timedelta(days=365)).isoformat(),
    )
    public_id = credential["publicId"]
    html = (await api.http.get(f"/credentials/{public_id}", headers=BROWSER)).text

    assert '<h1 id="credential-title">Financial Markets</h1>' in html
    assert '<dd id="recipient">Ada Lovelace</dd>' in html
    assert '<a href="https://acme.example.org" rel="noopener">Acme Academy</a>' in html
    assert '<time datetime="2025-03-07">7 March 2025</time>' in html
    assert 'href="https://learn.example.org/financial-markets"' in html
    assert "About the learning event" in html
    assert (
        f'<img src="/credentials/{public_id}/image.png" alt="Financial Markets, awarded to '
        'Ada Lovelace by Acme Academy"'
    ) in html
    assert "Verified: every check passed." in html
    for check in ("proof", "issuer", "validity", "revocation", "shape"):
        assert f'data-check="{check}" data-outcome="passed"' in html
    assert 'role="alert"' not in html
    for download in (
        f"/credentials/{public_id}/certificate.pdf?download=1",
        f"/credentials/{public_id}/image.png?download=1",
        f"/credentials/{public_id}/credential.json",
        f"/credentials/{public_id}/badge.png",
        f"/credentials/{public_id}/badge.svg",
    ):
        assert f'href="{download}"' in html
    assert f'href="/credentials/{public_id}/share/linkedin"' in html
    share_url = f"{PUBLIC_URL}/credentials/{public_id}"
    assert f'<input type="text" id="share-url" value="{share_url}" readonly>' in html
    assert '<label for="share-url">' in html


async def test_open_graph_tags_let_a_shared_link_preview_with_the_image(
    api: CertifierClient, group_id: str
) -> None:
    credential, _ = await issue_signed(api, group_id)
    page_url = f"{PUBLIC_URL}/credentials/{credential['publicId']}"
    html = (await api.http.get(f"/credentials/{credential['publicId']}", headers=BROWSER)).text
    assert meta(html, "og:title") == "Financial Markets · Ada Lovelace"
    assert meta(html, "og:description").startswith(
        "Financial Markets, awarded to Ada Lovelace by Acme Academy on "
    )
    assert meta(html, "og:image") == f"{page_url}/image.png"
    assert meta(html, "og:url") == page_url
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:image") == f"{page_url}/image.png"


async def test_names_are_text_never_markup(api: CertifierClient) -> None:
    hostile = '<script>alert("x")</script>'
    group = await api.create_group(
        name='"Markets" & <b>Co</b>', designIds=[await api.create_design()]
    )
    credential, _ = await issue_signed(api, str(group["id"]), recipient={"name": hostile})
    html = (await api.http.get(f"/credentials/{credential['publicId']}", headers=BROWSER)).text
    assert hostile not in html
    assert "<b>Co</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert meta(html, "og:title") == '"Markets" & <b>Co</b> · <script>alert("x")</script>'
    assert len(re.findall(r"<script\b", html)) == 1, "only the page's own copy-link script"


async def test_revoked_and_expired_credentials_say_so_first(
    api: CertifierClient, group_id: str
) -> None:
    revoked, _ = await issue_signed(api, group_id)
    await revoke(api, revoked["id"], "Issued to the wrong person")
    html = (await api.http.get(f"/credentials/{revoked['publicId']}", headers=BROWSER)).text
    banner = html[html.index('role="alert"') : html.index("</div>", html.index('role="alert"'))]
    assert "This credential has been revoked" in banner
    assert "Reason given: Issued to the wrong person" in banner
    assert html.index('role="alert"') < html.index("<article")
    assert 'data-check="revocation" data-outcome="failed"' in html
    assert "Not verified" in html
    assert "/share/linkedin" not in html, "no sharing a revoked credential"

    expired, _ = await issue_signed(
        api,
        group_id,
        issueDate=(TODAY - timedelta(days=400)).isoformat(),
        expiryDate=(TODAY - timedelta(days=30)).isoformat(),
    )
    html = (await api.http.get(f"/credentials/{expired['publicId']}", headers=BROWSER)).text
    assert "This credential has expired" in html
    assert html.index('role="alert"') < html.index("<article")
    assert 'data-check="validity" data-outcome="failed"' in html
    assert 'data-check="proof" data-outcome="passed"' in html


async def test_drafts_and_unknown_ids_are_not_found(api: CertifierClient, group_id: str) -> None:
    draft = await api.request(
        "POST", "/v1/credentials", json={"groupId": group_id, "recipient": {"name": "Ada"}}
    )
    for public_id in (draft.json()["publicId"], "00000000-0000-4000-8000-000000000000"):
        page = await api.http.get(f"/credentials/{public_id}", headers=BROWSER)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "<h1>Credential not found</h1>" in page.text
        machine = await api.http.get(f"/credentials/{public_id}")
        assert machine.status_code == 404
        assert machine.json()["error"]["code"] == "not_found"
        for suffix in ("credential.json", "badge.png", "share/linkedin"):
            assert (await api.http.get(f"/credentials/{public_id}/{suffix}")).status_code == 404


async def test_views_are_recorded_for_the_organization(
    api: CertifierClient, group_id: str, app: FastAPI
) -> None:
    credential, _ = await issue_signed(api, group_id)
    path = f"/credentials/{credential['publicId']}"
    await api.http.get(path, headers=BROWSER)
    await api.http.get(path, headers=BROWSER)
    await api.http.get(path)  # a machine fetching the JSON is not a view
    assert await interaction_types(api, credential["id"]) == []  # counted, written each second
    assert await app.state.view_buffer.write(app.state.database) == 2
    assert await interaction_types(api, credential["id"]) == ["credential_viewed"] * 2
    listed = await api.request("GET", "/v1/credential-interactions")
    assert {item["triggeredBy"] for item in listed.json()["data"]} == {"guest"}


async def test_the_linkedin_link_fills_in_add_to_profile(
    api: CertifierClient, group_id: str
) -> None:
    credential, _ = await issue_signed(
        api, group_id, issueDate="2025-03-07", expiryDate="2027-11-30"
    )
    public_id = credential["publicId"]
    response = await api.http.get(f"/credentials/{public_id}/share/linkedin")
    assert response.status_code == 302
    target = urlsplit(response.headers["location"])
    assert (
        f"{target.scheme}://{target.netloc}{target.path}" == "https://www.linkedin.com/profile/add"
    )
    assert {key: values[0] for key, values in parse_qs(target.query).items()} == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Financial Markets",
        "organizationName": "Acme Academy",
        "issueYear": "2025",
        "issueMonth": "3",
        "expirationYear": "2027",
        "expirationMonth": "11",
        "certUrl": f"{PUBLIC_URL}/credentials/{public_id}",
        "certId": public_id,
    }
    assert await interaction_types(api, credential["id"]) == [
        "credential_added_to_linkedin_profile"
    ]
    copied = await api.http.post(f"/credentials/{public_id}/share/link-copied")
    assert copied.status_code == 204
    assert "credential_link_copied" in await interaction_types(api, credential["id"])


async def test_downloads_carry_the_signed_credential(api: CertifierClient, group_id: str) -> None:
    credential, vc = await issue_signed(api, group_id)
    base = f"/credentials/{credential['publicId']}"

    document = await api.http.get(f"{base}/credential.json")
    assert document.status_code == 200
    assert document.json() == vc
    assert document.headers["content-type"] == "application/ld+json"
    assert document.headers["content-disposition"] == (
        f'attachment; filename="credential-{credential["publicId"]}.json"'
    )
    png = await api.http.get(f"{base}/badge.png")
    assert png.headers["content-type"] == "image/png"
    assert unbake(png.content) == vc
    svg = await api.http.get(f"{base}/badge.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert unbake(svg.content) == vc
    assert (await api.http.get(f"{base}/badge.gif")).status_code == 404
    assert await interaction_types(api, credential["id"]) == ["credential_downloaded"] * 3


async def test_an_issued_credential_not_yet_signed_is_signed_for_its_page(
    api: CertifierClient, group_id: str
) -> None:
    response = await api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={"groupId": group_id, "recipient": {"name": "Ada", "email": "ada@example.org"}},
    )
    public_id = response.json()["publicId"]
    page = await api.http.get(f"/credentials/{public_id}", headers=BROWSER)
    assert page.status_code == 200
    assert "Verified: every check passed." in page.text
    signed = await api.http.get(f"/credentials/{public_id}")
    assert signed.json()["id"] == f"{PUBLIC_URL}/credentials/{public_id}"


async def test_a_shared_link_is_served_from_the_page_cache_for_a_while(
    api: CertifierClient, group_id: str, settings: Settings
) -> None:
    credential, _ = await issue_signed(api, group_id)
    path = f"/credentials/{credential['publicId']}"
    cached_app = create_app(settings.model_copy(update={"page_cache_seconds": 60}))
    async with make_client(cached_app) as visitor:
        first = await visitor.get(path, headers=BROWSER)
        await revoke(api, credential["id"], "Issued by mistake")
        again = await visitor.get(path, headers=BROWSER)
        assert again.text == first.text and "Issued by mistake" not in first.text
        assert again.headers["content-security-policy"] == first.headers["content-security-policy"]
    # Without the cache (every other process once its copy expires) the revocation shows.
    fresh = await api.http.get(path, headers=BROWSER)
    assert "Issued by mistake" in fresh.text
    assert await cached_app.state.view_buffer.write(cached_app.state.database) == 2
    await cached_app.state.database.dispose()
