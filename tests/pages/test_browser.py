"""The pages in headless Chromium, against a real `laurel serve` on a free loopback port.

Once per run, on SQLite (these check what people see, not the database). Debian's chromium at
/usr/bin/chromium is driven by Playwright, which downloads no browser; without it these tests
skip locally and fail in CI. Screenshots go to .artifacts/screenshots/.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from laurel.config import Environment, Settings
from laurel.db import Database
from laurel.migrate import upgrade_database
from laurel.models import Plan
from laurel.organizations.service import create_organization
from laurel.tokens.service import create_token
from tests.conftest import CertifierClient, Tenant, unavailable
from tests.fixtures.processes import Processes, free_port, laurel_env, serve_env, wait_until_ready
from tests.pages.conftest import issue_signed, revoke

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM_PRESENT = CHROMIUM.exists()
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".artifacts" / "screenshots"


@dataclass
class Site:
    base_url: str
    credentials: dict[str, dict[str, Any]]
    signed: dict[str, Any]
    workdir: Path


@pytest.fixture(scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    if not CHROMIUM_PRESENT:
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    workdir = tmp_path_factory.mktemp("pages-browser")
    database_url = f"sqlite:///{workdir / 'laurel.db'}"
    await asyncio.to_thread(upgrade_database, database_url)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = serve_env(
        laurel_env(
            database_url,
            env="testing",
            public_url=base_url,
            run_worker_in_process="false",
            rate_limit="100000/minute",
        ),
        port,
    )
    processes = Processes(workdir)
    try:
        await wait_until_ready(base_url, processes.start(env, "serve", name="serve"))
        settings = Settings(env=Environment.testing, database_url=database_url)
        database = Database.from_settings(settings)
        async with database.sessions() as session, session.begin():
            organization = await create_organization(session, "Acme Academy", Plan.premium)
            token = await create_token(session, organization.id, "browser tests")
        await database.dispose()
        async with httpx.AsyncClient(base_url=base_url) as http:
            api = CertifierClient(http, Tenant(organization.id, token.secret))
            group = await api.create_group(
                name="Financial Markets",
                designIds=[await api.create_design()],
                learningEventUrl="https://learn.example.org/financial-markets",
            )
            group_id = str(group["id"])
            issued, signed = await issue_signed(api, group_id, expiryDate="2099-12-31")
            revoked, _ = await issue_signed(api, group_id, recipient={"name": "Grace Hopper"})
            await revoke(api, revoked["id"], "Issued to the wrong person")
            expired, _ = await issue_signed(
                api,
                group_id,
                recipient={"name": "Alan Turing"},
                issueDate="2020-01-15",
                expiryDate="2021-01-15",
            )
        yield Site(
            base_url,
            {"issued": issued, "revoked": revoked, "expired": expired},
            signed,
            workdir,
        )
    finally:
        await asyncio.to_thread(processes.stop_all)


@pytest.fixture(scope="module")
async def browser(site: Site) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
def page_problems() -> list[str]:
    """The console lines and errors of the test's page."""
    return []


@pytest.fixture
async def page(browser: Browser, site: Site, page_problems: list[str]) -> AsyncIterator[Page]:
    context = await browser.new_context(
        base_url=site.base_url, permissions=["clipboard-read", "clipboard-write"]
    )
    opened = await context.new_page()
    opened.on("console", lambda message: page_problems.append(message.text))
    opened.on("pageerror", lambda error: page_problems.append(str(error)))
    yield opened
    await context.close()


async def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def accessibility_basics(page: Page) -> None:
    """Landmarks, a language, alt text on every image, a label on every field."""
    report = await page.evaluate(
        """() => ({
            lang: document.documentElement.lang,
            landmarks: ["header", "nav", "main", "footer"].filter(s => document.querySelector(s)),
            h1: document.querySelectorAll("h1").length,
            imagesWithoutAlt: [...document.images].filter(i => !i.hasAttribute("alt")).length,
            unlabelled: [...document.querySelectorAll("input, textarea, select")]
                .filter(e => e.type !== "hidden" && (!e.labels || e.labels.length === 0)).length,
        })"""
    )
    assert report == {
        "lang": "en",
        "landmarks": ["header", "nav", "main", "footer"],
        "h1": 1,
        "imagesWithoutAlt": 0,
        "unlabelled": 0,
    }
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent") == "Skip to content"
    await page.evaluate("document.activeElement.blur()")


async def test_the_wallet_page_of_an_issued_credential(
    page: Page, site: Site, page_problems: list[str]
) -> None:
    credential = site.credentials["issued"]
    response = await page.goto(f"/credentials/{credential['publicId']}")
    assert response is not None and response.status == 200
    assert await page.title() == "Financial Markets · Ada Lovelace"
    assert await page.locator("h1").inner_text() == "Financial Markets"
    assert await page.locator("#recipient").inner_text() == "Ada Lovelace"
    assert await page.locator("#issuer").inner_text() == "Acme Academy"
    image = page.locator("figure img")
    assert await image.get_attribute("alt") == (
        "Financial Markets, awarded to Ada Lovelace by Acme Academy"
    )
    assert (
        await page.get_by_role("link", name="About the learning event").get_attribute("href")
        == "https://learn.example.org/financial-markets"
    )
    assert await page.get_by_role("alert").count() == 0
    panel = page.locator("#verification")
    assert "Verified: every check passed." in await panel.inner_text()
    for title in ("Signature", "Issuer", "Validity dates", "Revocation", "Format"):
        assert await panel.get_by_text(f"{title}:").count() == 1
    assert await panel.locator("[data-outcome=passed]").count() == 5
    assert await page.get_by_role("link", name="Add to LinkedIn profile").is_visible()
    assert await page.get_by_role("link", name="Signed credential (JSON)").is_visible()
    assert await page.get_by_label("Link to this credential").input_value() == (
        f"{site.base_url}/credentials/{credential['publicId']}"
    )
    await accessibility_basics(page)

    copy = page.get_by_role("button", name="Copy link")
    assert await copy.is_visible(), "the inline script ran under the page's CSP"
    await copy.click()
    await page.get_by_text("Link copied.").wait_for()
    assert await page.evaluate("navigator.clipboard.readText()") == (
        f"{site.base_url}/credentials/{credential['publicId']}"
    )
    assert not [text for text in page_problems if "Content Security Policy" in text]
    await screenshot(page, "wallet-issued")
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, "wallet-issued-phone")


async def test_the_wallet_page_of_a_revoked_credential(page: Page, site: Site) -> None:
    await page.goto(f"/credentials/{site.credentials['revoked']['publicId']}")
    alert = page.get_by_role("alert")
    assert "This credential has been revoked" in await alert.inner_text()
    assert "Reason given: Issued to the wrong person" in await alert.inner_text()
    panel = page.locator("#verification")
    assert "Not verified" in await panel.inner_text()
    assert await panel.locator("[data-check=revocation][data-outcome=failed]").count() == 1
    assert await page.get_by_role("link", name="Add to LinkedIn profile").count() == 0
    await accessibility_basics(page)
    await screenshot(page, "wallet-revoked")


async def test_the_wallet_page_of_an_expired_credential(page: Page, site: Site) -> None:
    await page.goto(f"/credentials/{site.credentials['expired']['publicId']}")
    alert = page.get_by_role("alert")
    assert "This credential has expired" in await alert.inner_text()
    assert "15 January 2021" in await alert.inner_text()
    panel = page.locator("#verification")
    assert await panel.locator("[data-check=validity][data-outcome=failed]").count() == 1
    assert "It expired on 15 January 2021." in await panel.inner_text()
    await accessibility_basics(page)
    await screenshot(page, "wallet-expired")


async def test_an_unknown_credential_is_a_plain_not_found_page(page: Page, site: Site) -> None:
    response = await page.goto("/credentials/00000000-0000-4000-8000-000000000000")
    assert response is not None and response.status == 404
    assert await page.locator("h1").inner_text() == "Credential not found"


async def _verify_file(page: Page, path: Path) -> None:
    await page.goto("/verify")
    await accessibility_basics(page)
    await page.get_by_label("Credential file").set_input_files(str(path))
    await page.get_by_role("button", name="Verify").click()
    await page.locator("#result").wait_for()


async def test_the_verify_page_with_a_valid_file(page: Page, site: Site) -> None:
    path = site.workdir / "credential.json"
    path.write_text(json.dumps(site.signed))
    await _verify_file(page, path)
    result = page.locator("#result")
    assert "Verified: every check passed." in await result.inner_text()
    assert await result.locator("[data-outcome=passed]").count() == 5
    assert await page.get_by_role("link", name="See its page").is_visible()
    await accessibility_basics(page)
    await screenshot(page, "verify-valid")


async def test_the_verify_page_with_a_tampered_file(page: Page, site: Site) -> None:
    path = site.workdir / "tampered.json"
    path.write_text(json.dumps({**site.signed, "name": "Something Grander"}))
    await _verify_file(page, path)
    result = page.locator("#result")
    assert "Not verified: at least one check failed." in await result.inner_text()
    assert await result.locator("[data-check=proof][data-outcome=failed]").count() == 1
    assert "The digital signature does not match" in await result.inner_text()
    await screenshot(page, "verify-tampered")


async def test_the_verify_page_explains_a_file_it_cannot_read(page: Page, site: Site) -> None:
    path = site.workdir / "notes.json"
    path.write_text("these are not the credentials you are looking for")
    await page.goto("/verify")
    await page.get_by_label("Credential file").set_input_files(str(path))
    await page.get_by_role("button", name="Verify").click()
    alert = page.get_by_role("alert")
    assert "The credential could not be checked" in await alert.inner_text()
    await screenshot(page, "verify-unreadable")
