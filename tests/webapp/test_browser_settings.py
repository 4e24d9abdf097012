"""Settings → organization, plan and API tokens' last use in headless Chromium, against the real
`laurel serve` of test_browser.py (whose fixtures this module reuses): axe, labels, 375 px,
screenshots `webapp-organization*.png`, `webapp-plan*.png`, `webapp-tokens-last-used*.png`."""

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.webapp.test_browser import (  # noqa: F401 - fixtures, found by name
    WIDE,
    Site,
    chromium,
    look,
    sign_in,
    site,
    watched_page,
)

# The profile form with a bad field answers 400 (the page marks the field); every other failed
# request is a problem.
PROFILE_FORM = re.compile(r"/app/settings/organization$")


def refused_on_purpose(response: Any) -> bool:
    return (
        response.status == 400
        and response.request.method == "POST"
        and bool(PROFILE_FORM.search(response.url))
    )


@pytest.fixture
async def page(chromium: Any, site: Site) -> AsyncIterator[Any]:  # noqa: F811
    async with watched_page(chromium, site, refused_on_purpose) as opened:
        yield opened


# The server writes token uses every 5 s; the page is read again until it shows one.
TOKEN_PAGE_READS = 120


async def test_edit_the_profile_rotate_the_key_and_read_the_plan(
    page: Any,
    site: Site,  # noqa: F811 - the fixture imported above
) -> None:
    await sign_in(page, "/app/settings/organization")
    assert await page.get_by_role("heading", name="Issuer identity").is_visible()
    await look(page, "organization")

    await page.get_by_label("Website URL").fill("not a url")
    await page.get_by_role("button", name="Save profile").click()
    assert await page.locator("#url-problem").is_visible()
    assert await page.get_by_label("Website URL").get_attribute("aria-invalid") == "true"
    await look(page, "organization-problem")

    await page.get_by_label("Website URL").fill("https://acme.example.org")
    await page.get_by_label("Description").fill("Courses in finance.")
    await page.get_by_role("button", name="Save profile").click()
    await page.wait_for_url(re.compile(r"\?done=profile$"))
    assert await page.get_by_text("The profile is saved").is_visible()

    await page.get_by_label('Type "rotate" to confirm').fill("rotate")
    await page.get_by_role("button", name="Rotate key").click()
    await page.wait_for_url(re.compile(r"\?done=rotated$"))
    assert await page.get_by_role("cell", name="Retired").count() >= 1
    await look(page, "organization-rotated")

    await page.get_by_role("link", name="Plan").click()
    await page.wait_for_url(re.compile(r"/app/settings/plan$"))
    assert await page.get_by_text("Premium plan").is_visible()
    await look(page, "plan")


async def test_the_api_token_shows_its_last_use(
    page: Any,
    site: Site,  # noqa: F811 - the fixture imported above
) -> None:
    """The site's token was used through the API when the site was set up."""
    await sign_in(page, "/app/settings/tokens")
    cell = page.locator("tr", has_text="browser tests").get_by_test_id("last-used")
    for _ in range(TOKEN_PAGE_READS):
        if "ago" in await cell.inner_text():
            break
        await asyncio.sleep(0.5)
        await page.reload()
    assert re.search(r"UTC \((just now|\d+ minutes? ago)\)", await cell.inner_text())
    await look(page, "tokens-last-used")
