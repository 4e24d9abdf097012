"""The web app in headless Chromium, as a person uses it, against a real `laurel serve`.

Once per run, on SQLite (this checks what people see and do; the httpx tests cover both
databases). Debian's chromium drives the pages through Playwright, which downloads no browser;
axe-core (from the axe-playwright-python package) checks each page for serious or critical
accessibility violations. Screenshots, wide and at a phone's 375 px, go to
.artifacts/screenshots/webapp-*.png.
"""

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from laurel.config import Environment, Settings
from laurel.db import Database
from laurel.members import service as members
from laurel.migrate import upgrade_database
from laurel.models import Plan, Role
from laurel.organizations.service import create_organization
from laurel.tokens.service import create_token
from laurel.users import service as users
from tests.conftest import CertifierClient, Tenant, unavailable
from tests.fixtures.processes import Processes, free_port, laurel_env, serve_env, wait_until_ready
from tests.webapp.conftest import PASSWORD, password_hash

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
CHROMIUM_PRESENT = CHROMIUM.exists()
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".artifacts" / "screenshots"
OWNER_EMAIL = "olive.owner@example.org"
WIDE = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
MISSING_PAGE = "/app/credentials/nothing-here"


@dataclass
class Site:
    base_url: str
    group_id: str


@asynccontextmanager
async def served_site(
    tmp_path_factory: pytest.TempPathFactory, name: str, **settings: str
) -> AsyncIterator[tuple[str, Database]]:
    """A `laurel serve` on a fresh SQLite database (LAUREL_* `settings` beside the tests'), its
    base URL, and the database to arrange it with; stopped at the end."""
    if not CHROMIUM_PRESENT:
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    workdir = tmp_path_factory.mktemp(name)
    database_url = f"sqlite:///{workdir / 'laurel.db'}"
    await asyncio.to_thread(upgrade_database, database_url)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    defaults = {"run_worker_in_process": "false", "page_cache_seconds": "0"}
    env = serve_env(
        laurel_env(
            database_url,
            env="testing",
            public_url=base_url,
            rate_limit="100000/minute",
            **{**defaults, **settings},
        ),
        port,
    )
    processes = Processes(workdir)
    database = Database.from_settings(Settings(env=Environment.testing, database_url=database_url))
    try:
        await wait_until_ready(base_url, processes.start(env, "serve", name="serve"))
        yield base_url, database
    finally:
        await database.dispose()
        await asyncio.to_thread(processes.stop_all)


@pytest.fixture(scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    async with served_site(tmp_path_factory, "webapp-browser") as (base_url, database):
        async with database.sessions() as session, session.begin():
            organization = await create_organization(session, "Acme Academy", Plan.premium)
            token = await create_token(session, organization.id, "browser tests")
            owner = await users.create_user(session, OWNER_EMAIL, "Olive Owner")
            owner.password_hash = password_hash()
            await members.add_membership(
                session, organization.id, owner.id, Role.owner, is_primary=True
            )
        async with httpx.AsyncClient(base_url=base_url) as http:
            api = CertifierClient(http, Tenant(organization.id, token.secret))
            group = await api.create_group(
                name="Financial Markets", designIds=[await api.create_design()]
            )
            for name in ("Grace Hopper", "=CMD()", "Alan Turing"):
                issued = await api.request(
                    "POST",
                    "/v1/credentials/create-issue-send",
                    json={"groupId": group["id"], "recipient": {"name": name}},
                )
                assert issued.status_code == 200, issued.text
        yield Site(base_url, str(group["id"]))


@pytest.fixture(scope="module")
async def chromium(site: Site) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@asynccontextmanager
async def watched_page(
    chromium: Any, site: Site, expected: Callable[[Any], bool]
) -> AsyncIterator[Any]:
    """A page in a context of its own that fails the test on a script error or on any failed
    response but those `expected` allows."""
    context = await chromium.new_context(base_url=site.base_url, viewport=WIDE)
    opened = await context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not expected(response)
            else None
        ),
    )
    yield opened
    await context.close()
    assert problems == [], problems


@pytest.fixture
async def page(chromium: Any, site: Site) -> AsyncIterator[Any]:
    # The one missing page a test asks for is the only failed response expected.
    async with watched_page(
        chromium, site, lambda response: MISSING_PAGE in response.url
    ) as opened:
        yield opened


async def look(page: Any, name: str) -> None:
    """Screenshots wide and at a phone's width, then axe-core's verdict on the page."""
    from axe_playwright_python.async_playwright import Axe  # type: ignore[import-untyped]

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"webapp-{name}.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(SCREENSHOTS / f"webapp-{name}-375.png"), full_page=True)
    # Nothing may stick out sideways at a phone's width (a wide table scrolls in its own box).
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} is wider than a phone's screen by {overflow}px"
    await page.set_viewport_size(WIDE)
    results = await Axe().run(page)
    serious = [
        f"{violation['id']}: {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name}: {serious}"
    unlabelled = await page.evaluate(
        """[...document.querySelectorAll("input, select, textarea")]
            .filter(e => e.type !== "hidden" && (!e.labels || e.labels.length === 0)).length"""
    )
    assert unlabelled == 0


async def sign_in(page: Any, goal: str = "/app") -> None:
    await page.goto(goal)
    await page.get_by_label("Email").fill(OWNER_EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(re.escape(goal) + "$"))


async def test_sign_in_issue_revoke_and_the_public_page_says_revoked(page: Any, site: Site) -> None:
    await page.goto("/app/credentials")
    assert "/app/sign-in?next=" in page.url
    await look(page, "sign-in")
    # The email field has the focus; the keyboard goes on to the password, then the button.
    focus_order = []
    for _ in range(2):
        await page.keyboard.press("Tab")
        focus_order.append(
            await page.evaluate("document.activeElement.id || document.activeElement.textContent")
        )
    assert await page.evaluate("document.activeElement.tagName") == "BUTTON"
    assert focus_order == ["password", "Sign in"]
    await page.get_by_label("Email").fill(OWNER_EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(r"/app/credentials$"))
    assert await page.get_by_role("link", name="Grace Hopper").is_visible()
    await look(page, "credentials")

    await page.get_by_role("link", name="Issue a credential").click()
    await page.wait_for_url(re.compile(r"/app/credentials/new$"))
    await look(page, "issue")
    await page.get_by_label("Credential template").select_option(label="Financial Markets")
    await page.get_by_label("Recipient name").fill("Ada Lovelace")
    await page.get_by_label("Recipient email").fill("ada@example.org")
    await page.get_by_role("button", name="Issue").click()
    await page.wait_for_url(re.compile(r"/app/credentials/[0-9a-z]+\?done=issued$"))
    assert await page.get_by_role("status").inner_text() == "The credential was issued."
    assert await page.locator(".status").inner_text() == "issued"
    await look(page, "credential")

    await page.get_by_label("Reason for revoking").fill("Issued to the wrong person")
    await page.get_by_role("button", name="Revoke").click()
    await page.wait_for_url(re.compile(r"\?done=revoked$"))
    assert await page.locator(".status").inner_text() == "revoked"
    assert await page.get_by_text("Issued to the wrong person").count() == 1
    await look(page, "credential-revoked")

    public_link = await page.get_by_label("Anyone with this link sees the credential").input_value()
    assert public_link.startswith(f"{site.base_url}/credentials/")
    await page.goto(public_link)
    assert await page.get_by_text("This credential has been revoked").is_visible()
    await page.screenshot(path=str(SCREENSHOTS / "webapp-public-page-revoked.png"), full_page=True)


async def test_the_other_pages_look_right_and_pass_axe(page: Any, site: Site) -> None:
    await sign_in(page)
    assert await page.get_by_role("heading", name="Credentials issued per week").is_visible()
    await look(page, "home")
    # The settings pages sit under one main tab, with their own row of tabs.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    await page.wait_for_url(re.compile(r"/app/settings/organization$"))
    await (
        page.get_by_role("navigation", name="Settings")
        .get_by_role("link", name="API tokens")
        .click()
    )
    await page.get_by_label("Name").fill("LMS integration")
    await page.get_by_role("button", name="Create token").click()
    secret = await page.get_by_label("New token").input_value()
    assert secret.startswith("laurel_")
    await look(page, "tokens")
    await page.get_by_role("link", name="Members").click()
    await page.get_by_label("Email").fill("nora@example.org")
    await page.get_by_label("Role", exact=True).select_option("manager")
    await page.get_by_role("button", name="Send the invitation").click()
    assert await page.get_by_role("status").inner_text() == "Invitation sent to nora@example.org."
    await look(page, "members")
    await page.get_by_role("link", name="Audit log").click()
    assert await page.get_by_text("token.created").count() == 1
    await look(page, "audit")
    await page.goto(MISSING_PAGE)
    await look(page, "not-found")
    await page.goto("/app")
    await page.get_by_role("button", name="Sign out", exact=True).click()
    await page.get_by_role("link", name="Forgot your password?").click()
    await look(page, "password-reset")


async def test_forms_work_without_javascript(chromium: Any, site: Site) -> None:
    context = await chromium.new_context(
        base_url=site.base_url, viewport=PHONE, java_script_enabled=False
    )
    try:
        page = await context.new_page()
        await sign_in(page, "/app/credentials")
        await page.get_by_label("Recipient").fill("grace")
        await page.get_by_role("button", name="Filter").click()
        assert await page.get_by_role("link", name="Grace Hopper").count() == 1
        assert await page.get_by_role("link", name="Alan Turing").count() == 0
        await page.get_by_role("button", name="Sign out", exact=True).click()
        await page.wait_for_url(re.compile(r"/app/sign-in$"))
        await page.goto("/app")
        assert "/app/sign-in" in page.url
    finally:
        await context.close()
