"""Every link Laurel hands out leads somewhere: followed from a credential, its email and its page.

Links are built in laurel.links; this test reads them where people and machines meet them (the
signed credential, the email in the outbox, the recipient's page, the design previews) and
follows each one that points at Laurel itself.
"""

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from laurel.config import Settings
from laurel.db import Database
from laurel.models import JobKind, OutboxJob
from tests.conftest import CertifierClient

URL = re.compile(r"https?://[^\s\"'<>)]+")
HTML_LINK = re.compile(r"""(?:href|src|action)=["']([^"']+)["']""")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _did_web_document(did: str) -> str:
    """The HTTPS path a did:web resolves to (did:web:host%3Aport:a:b -> /a/b/did.json)."""
    _host, *path = did.removeprefix("did:web:").split(":")
    return "/" + "/".join(path) + "/did.json" if path else "/.well-known/did.json"


def _ours(settings: Settings, urls: list[str]) -> list[str]:
    """The paths of the URLs that point at this Laurel (other sites are not ours to check)."""
    base = settings.public_url.rstrip("/")
    return sorted({url.removeprefix(base) for url in urls if url.startswith(base + "/")})


async def _follow(client: httpx.AsyncClient, paths: list[str]) -> dict[str, int]:
    answers = {}
    for path in paths:
        response = await client.get(html.unescape(path))
        answers[path] = response.status_code
    return answers


async def _issued(api: CertifierClient, group_id: str) -> dict[str, Any]:
    response = await api.request(
        "POST",
        "/v1/credentials/create-issue-send",
        json={"groupId": group_id, "recipient": {"name": "Ada Lovelace", "email": "ada@x.org"}},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_every_link_in_a_signed_credential_answers(
    api: CertifierClient, group_id: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    credential = await _issued(api, group_id)
    signed = (await api.request("GET", f"/v1/credentials/{credential['id']}/vc")).json()
    paths = _ours(settings, list(_strings(signed)))
    assert f"/credentials/{credential['publicId']}" in paths
    assert any(path.startswith("/status/") for path in paths)
    assert any(path.startswith("/achievements/") for path in paths)
    paths.append(_did_web_document(signed["issuer"]["id"]))
    answers = await _follow(client, [path.split("#")[0] for path in paths])
    assert set(answers.values()) == {200}, answers


async def test_every_link_in_the_credential_email_answers(
    api: CertifierClient,
    group_id: str,
    client: httpx.AsyncClient,
    settings: Settings,
    database: Database,
) -> None:
    credential = await _issued(api, group_id)
    async with database.sessions() as session:
        (payload,) = (
            await session.scalars(select(OutboxJob.payload).where(OutboxJob.kind == JobKind.email))
        ).all()
    urls = [url for part in _strings(payload) for url in URL.findall(part)]
    paths = _ours(settings, urls)
    assert f"/credentials/{credential['publicId']}" in paths
    answers = await _follow(client, paths)
    assert set(answers.values()) == {200}, answers


async def test_every_link_on_the_recipients_page_answers(
    api: CertifierClient, group_id: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    credential = await _issued(api, group_id)
    page = await client.get(
        f"/credentials/{credential['publicId']}", headers={"Accept": "text/html"}
    )
    assert page.status_code == 200
    links = HTML_LINK.findall(page.text)
    local = [link for link in links if link.startswith("/")]
    paths = sorted(set(local) | set(_ours(settings, links)))
    assert len(paths) >= 5, paths
    answers = await _follow(client, paths)
    # Sharing hands the visitor on to LinkedIn: a redirect away from Laurel is an answer too.
    assert all(status == 200 or 300 <= status < 400 for status in answers.values()), answers
    assert sum(status == 200 for status in answers.values()) >= 5, answers


async def test_every_design_preview_answers_without_a_token(
    api: CertifierClient, group_id: str, client: httpx.AsyncClient, settings: Settings
) -> None:
    credential = await _issued(api, group_id)
    designs = (await api.request("GET", f"/v1/credentials/{credential['id']}/designs")).json()
    urls = [preview["url"] for design in designs for preview in design["previews"]]
    paths = _ours(settings, urls)
    assert len(paths) == len(urls) > 0
    assert all(urlsplit(url).scheme in ("http", "https") for url in urls)
    answers = await _follow(client, paths)
    assert set(answers.values()) == {200}, answers
