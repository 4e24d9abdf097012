"""People in Chromium: an owner invites a manager by email, the manager follows the link from
the message and signs in as themselves; a member sees their own credential and not another's.

A real `laurel serve` with its worker in process sends the invitation to an aiosmtpd sink, so
the link followed is the one in the email, as a person would click it.
"""

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from laurel.members import service as members
from laurel.models import Plan, Role
from laurel.organizations.service import create_organization
from laurel.tokens.service import create_token
from laurel.users import service as users
from tests.conftest import CertifierClient, Tenant
from tests.delivery.conftest import HtmlLinks, email_parts
from tests.fixtures.mail import SmtpServer
from tests.webapp.conftest import PASSWORD, password_hash
from tests.webapp.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    WIDE,
    look,
    served_site,
)

OWNER_EMAIL = "olive.owner@example.org"
MEMBER_EMAIL = "mo.member@example.org"
MANAGER_EMAIL = "nora.manager@example.org"
MANAGER_PASSWORD = "nora's own passphrase"


@dataclass
class People:
    base_url: str
    smtp: SmtpServer
    members_credential: str
    someone_elses_credential: str


@pytest.fixture
async def people(
    tmp_path_factory: pytest.TempPathFactory, smtp_server: SmtpServer
) -> AsyncIterator[People]:
    settings = {"run_worker_in_process": "true", "smtp_url": smtp_server.url}
    async with served_site(tmp_path_factory, "webapp-people", **settings) as (base_url, database):
        async with database.sessions() as session, session.begin():
            organization = await create_organization(session, "Acme Academy", Plan.premium)
            token = await create_token(session, organization.id, "browser tests")
            for email, name, role in (
                (OWNER_EMAIL, "Olive Owner", Role.owner),
                (MEMBER_EMAIL, "Mo Member", Role.member),
            ):
                user = await users.create_user(session, email, name)
                user.password_hash = password_hash()
                await members.add_membership(
                    session, organization.id, user.id, role, is_primary=True
                )
        async with httpx.AsyncClient(base_url=base_url) as http:
            api = CertifierClient(http, Tenant(organization.id, token.secret))
            group = await api.create_group(name="First Aid", designIds=[await api.create_design()])
            issued = []
            for name, email in (("Mo Member", MEMBER_EMAIL), ("Grace Hopper", "grace@example.org")):
                response = await api.request(
                    "POST",
                    "/v1/credentials/create-issue-send",
                    json={"groupId": group["id"], "recipient": {"name": name, "email": email}},
                )
                assert response.status_code == 200, response.text
                issued.append(str(response.json()["id"]))
        yield People(base_url, smtp_server, *issued)


@pytest.fixture
async def browser(people: People) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


async def fresh_page(browser: Any, people: People) -> Any:
    """A page in a context of its own: its own cookies, as another person's computer."""
    context = await browser.new_context(base_url=people.base_url, viewport=WIDE)
    return await context.new_page()


async def sign_in(page: Any, email: str, password: str) -> None:
    await page.goto("/app/sign-in")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(r"/app$"))


async def invitation_email(smtp: SmtpServer, address: str) -> dict[str, str]:
    """The text parts of the message the worker sent to `address`, once it arrives."""
    for _ in range(300):
        for message, envelope in zip(smtp.catcher.messages, smtp.catcher.envelopes, strict=True):
            if envelope == [address]:
                return email_parts(message)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no invitation reached {address}")


async def read_as_a_mail_client(browser: Any, html: str, name: str) -> None:
    """The message's HTML drawn with no network, as a mail client that blocks images shows it."""
    context = await browser.new_context(viewport=WIDE, offline=True)
    reader = await context.new_page()
    await reader.set_content(html)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await reader.screenshot(path=str(SCREENSHOTS / f"email-{name}.png"), full_page=True)
    await context.close()


async def test_an_owner_invites_a_manager_who_signs_in_as_themselves(
    browser: Any, people: People
) -> None:
    owner = await fresh_page(browser, people)
    await sign_in(owner, OWNER_EMAIL, PASSWORD)
    await owner.get_by_role("link", name="Settings").click()
    await owner.get_by_role("link", name="Members").click()
    await owner.get_by_label("Email", exact=True).fill(MANAGER_EMAIL)
    await owner.get_by_label("Role", exact=True).select_option("manager")
    await owner.get_by_role("button", name="Send the invitation").click()
    assert await owner.get_by_text(f"Invitation sent to {MANAGER_EMAIL}.").is_visible()

    email = await invitation_email(people.smtp, MANAGER_EMAIL)
    await read_as_a_mail_client(browser, email["text/html"], "invitation")
    links = HtmlLinks(email["text/html"]).links
    (link,) = [href for href, text in links if text == "Accept the invitation"]
    assert link in email["text/plain"]
    assert link.startswith(f"{people.base_url}/app/invitations/")
    newcomer = await fresh_page(browser, people)
    await newcomer.goto(urlsplit(link).path)
    assert await newcomer.get_by_role("heading", name="Join Acme Academy").is_visible()
    await look(newcomer, "invitation")
    await newcomer.get_by_label("Your name").fill("Nora Manager")
    await newcomer.get_by_label("Choose a password").fill(MANAGER_PASSWORD)
    await newcomer.get_by_label("The same password again").fill(MANAGER_PASSWORD)
    await newcomer.get_by_role("button", name="Join").click()
    await newcomer.wait_for_url(re.compile(r"/app$"))
    chosen = newcomer.locator("#organization-choice option:checked")
    assert await chosen.inner_text() == "Acme Academy (manager)"
    # A manager issues but does not administer: no token or member settings in the menu.
    menu = newcomer.get_by_role("navigation", name="Main")
    assert await menu.get_by_role("link", name="Issue", exact=True).is_visible()
    assert await menu.get_by_role("link", name="API tokens").count() == 0
    await menu.get_by_role("link", name="Settings").click()
    await newcomer.wait_for_url(re.compile(r"/app/settings/plan$"))
    settings = newcomer.get_by_role("navigation", name="Settings")
    assert await settings.get_by_role("link").all_inner_texts() == ["Plan"]
    await newcomer.get_by_role("button", name="Sign out", exact=True).click()
    await newcomer.wait_for_url(re.compile(r"/app/sign-in"))

    # The password chosen from the email's link is the manager's own, on another computer too.
    elsewhere = await fresh_page(browser, people)
    await sign_in(elsewhere, MANAGER_EMAIL, MANAGER_PASSWORD)
    await elsewhere.goto("/app/credentials/new")
    assert await elsewhere.get_by_label("Recipient name").is_visible()
    # The link was single use.
    answer = await elsewhere.goto(urlsplit(link).path)
    assert answer.status == 404


async def test_a_member_sees_their_own_credential_and_not_another(
    browser: Any, people: People
) -> None:
    member = await fresh_page(browser, people)
    await sign_in(member, MEMBER_EMAIL, PASSWORD)
    await member.goto("/app/credentials")
    assert await member.get_by_role("link", name="Mo Member").is_visible()
    assert await member.get_by_role("link", name="Grace Hopper").count() == 0
    await look(member, "member-credentials")
    own = await member.goto(f"/app/credentials/{people.members_credential}")
    assert own.status == 200
    others = await member.goto(f"/app/credentials/{people.someone_elses_credential}")
    assert others.status == 404
    assert await member.get_by_role("heading", level=1).inner_text() != "Grace Hopper"
    assert "Grace Hopper" not in await member.content()
    issue_form = await member.goto("/app/credentials/new")
    assert issue_form.status == 403
