"""Designs in headless Chromium, as a browser meets an SVG badge or preview opened on its own.

Playwright's router stands between the page and the network: the SVG's URL is answered by the
app itself (in process, through the `api` client) with the status, headers and body its route
produced; every other request is written down and refused. A design that passes the checks at
save draws with its styles and images under the SVG headers, runs no script and asks for
nothing. Each hostile design of tests/designs/hostile/, stored as if saved before the checks,
runs nothing and asks for nothing either; and, so that this test can fail, the same answer with
those headers taken off does run a script or reach for another URL in the same browser.

Once, on SQLite: these check what a browser does, not the database. Screenshots go to
.artifacts/screenshots/.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import BrowserContext, Error, Page, Request, Route, async_playwright

from laurel.db import Database
from tests.conftest import CertifierClient, Tenant, unavailable
from tests.designs.conftest import store_unchecked
from tests.pages.conftest import issue_signed
from tests.pages.test_browser import CHROMIUM, CHROMIUM_ARGS, CHROMIUM_PRESENT, SCREENSHOTS

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

BASE = "http://laurel.test"  # the in-process client's base URL
HERE = Path(__file__).parent
HOSTILE = {path.stem: path.read_text() for path in sorted((HERE / "hostile").glob("*.svg"))}
EVERY_FEATURE = (HERE / "allowed" / "every-feature.svg").read_text()
SVG_HEADERS = ("content-security-policy", "x-content-type-options")
# What the hostile designs do in this browser when served without the SVG headers (after the
# route's own serialization, which drops processing instructions and refuses a DTD).
# The others are inert in Chromium even so (it blocks cross-origin <use> and filters, runs
# nothing in an <image>) or never reach it (the DTD, the processing instruction).
RUN_A_SCRIPT = {
    "animate-xlink-href", "event-handler", "foreign-object", "html-element", "html-script",
    "javascript-href", "script", "set-href",
}  # fmt: skip
REACH_OUT = {
    "css-background", "css-escaped-url", "css-escaped-url-attribute", "css-font-face",
    "css-import", "cursor", "foreign-object-iframe", "meta-refresh", "external-image",
    "style-cdata-split", "style-text-after-child", "url-in-clip-path", "url-in-fill",
    "url-in-marker-end", "url-in-marker-mid", "url-in-marker-start", "url-in-mask",
    "url-in-stroke",
}  # fmt: skip


@dataclass
class Visit:
    """What happened when the page opened one URL."""

    response: httpx.Response | None = None  # the app's answer for the SVG's URL
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    messages: list[str] = field(default_factory=list)  # console lines and page errors
    script_ran: bool = False
    probed: Any = None


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[BrowserContext]:
    """One browser context for the module; each visit is a page of its own, with its own
    router, so no document sees another's."""
    if not CHROMIUM_PRESENT:
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        context = await launched.new_context()
        yield context
        await context.close()
        await launched.close()


async def visit(
    browser: BrowserContext,
    api: CertifierClient,
    path: str,
    *,
    svg_headers: bool = True,
    probe: str | None = None,
    screenshot: str | None = None,
) -> Visit:
    """Open `path` as a top-level document, click where a link would be, and look."""
    url = BASE + path
    seen = Visit()
    page = await browser.new_page()
    page.on("console", lambda message: seen.messages.append(message.text))
    page.on("pageerror", lambda error: seen.messages.append(str(error)))

    async def answer(route: Route, request: Request) -> None:
        seen.requests.append(request.url)
        if request.url != url:
            await route.abort()
            return
        response = await api.request("GET", path)
        seen.response = response
        headers = {
            name: value
            for name, value in response.headers.items()
            if svg_headers or name.lower() not in SVG_HEADERS
        }
        await route.fulfill(status=response.status_code, headers=headers, body=response.content)

    await page.route("**/*", answer)
    await page.goto(url)
    await page.mouse.click(30, 30)  # the hostile designs draw their links there
    await page.wait_for_timeout(300)
    seen.script_ran = await settled(page, "() => window.__pwned === true")
    if probe is not None:
        seen.probed = await settled(page, probe)
    if screenshot is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / f"{screenshot}.png"))
    await page.close()
    return seen


async def settled(page: Page, script: str) -> Any:
    """`script`'s result once the page has stopped navigating (a refresh may be under way)."""
    for _ in range(5):
        await page.wait_for_load_state()
        try:
            return await page.evaluate(script)
        except Error as error:
            if "context was destroyed" not in error.message:
                raise
    pytest.fail("the page kept navigating")


PROBE = """() => ({
    root: document.documentElement.localName,
    texts: [...document.querySelectorAll("text")].map(text => text.textContent.trim()),
    frameStroke: getComputedStyle(document.querySelector(".frame")).stroke,
    images: document.querySelectorAll("image").length,
})"""


async def test_a_design_with_every_allowed_feature_draws_and_runs_nothing(
    browser: BrowserContext, api: CertifierClient
) -> None:
    created = await api.request(
        "POST", "/v1/designs", json={"name": "Every feature", "type": "badge", "svg": EVERY_FEATURE}
    )
    assert created.status_code == 200, created.text
    design = created.json()["id"]
    group = await api.create_group(name="Financial Markets", designIds=[design])
    credential, _ = await issue_signed(api, str(group["id"]))
    routes = {
        "svg-badge-every-feature": f"/v1/credentials/{credential['id']}/badge.svg",
        "svg-preview-every-feature": f"/v1/designs/{design}/preview?format=svg",
    }
    for name, path in routes.items():
        seen = await visit(browser, api, path, probe=PROBE, screenshot=name)
        assert seen.response is not None and seen.response.status_code == 200
        assert seen.response.headers["content-security-policy"].endswith("; sandbox")
        assert seen.requests == [BASE + path]
        assert not seen.script_ran
        assert seen.messages == []  # nothing the policy had to block: it draws under it
        assert seen.probed["root"] == "svg"
        assert "Ada Lovelace" in seen.probed["texts"]
        assert seen.probed["frameStroke"] == "rgb(184, 134, 11)"  # the <style> applies
        assert seen.probed["images"] == 4


@pytest.mark.parametrize(("name", "svg"), HOSTILE.items(), ids=HOSTILE.keys())
async def test_a_hostile_design_saved_before_the_checks_runs_and_fetches_nothing(
    browser: BrowserContext,
    api: CertifierClient,
    tenant: Tenant,
    database: Database,
    name: str,
    svg: str,
) -> None:
    design = await store_unchecked(database, tenant.organization_id, svg)
    preview = f"/v1/designs/{design}/preview?format=svg"

    guarded = await visit(browser, api, preview, screenshot=f"svg-hostile-{name}")
    assert guarded.response is not None
    assert guarded.requests == [BASE + preview]
    assert not guarded.script_ran
    assert "pwned" not in guarded.messages

    bare = await visit(browser, api, preview, svg_headers=False)
    reached_out = any(url.startswith("https://evil.example/") for url in bare.requests)
    if name in RUN_A_SCRIPT:
        assert bare.script_ran, bare.messages
    elif name in REACH_OUT:
        assert reached_out and not bare.script_ran, bare.requests
    else:
        assert not reached_out and not bare.script_ran, (bare.requests, bare.messages)
