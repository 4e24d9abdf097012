"""The designs pages in headless Chromium: the gallery's thumbnails, copying a starter, and the
designer's live preview, with axe-core, label and phone-width checks (fixtures of test_browser)."""

import re
from typing import Any

from playwright.async_api import expect

from tests.webapp.test_browser import (  # noqa: F401  (fixtures used by name)
    PHONE,
    Site,
    chromium,
    look,
    page,
    sign_in,
    site,
)

ALL_IMAGES_DRAWN = """[...document.querySelectorAll("main img")]
    .every(image => image.complete && image.naturalWidth > 0)"""


async def assert_all_images_drawn(page: Any) -> None:  # noqa: F811
    """Every thumbnail loaded and decoded (the lazy ones too: scrolled into view first)."""
    await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    await page.wait_for_load_state("networkidle")
    await page.evaluate("window.scrollTo(0, 0)")
    assert await page.evaluate(ALL_IMAGES_DRAWN)


async def test_gallery_copy_and_designer_with_live_preview(page: Any, site: Site) -> None:  # noqa: F811
    await sign_in(page)
    await page.get_by_role("link", name="Designs", exact=True).click()
    await page.wait_for_url(re.compile(r"/app/designs$"))
    await assert_all_images_drawn(page)
    await look(page, "designs")

    await page.get_by_role("button", name="Copy Modern to your designs").click()
    await page.wait_for_url(re.compile(r"/app/designs#your-designs$"))
    your_designs = page.locator("#your-designs")
    assert await your_designs.get_by_text("Modern", exact=True).count() == 1

    await page.get_by_role("link", name="Design one in the designer").click()
    await page.wait_for_url(re.compile(r"/app/designs/designer$"))
    await assert_all_images_drawn(page)
    first_preview = page.locator("#preview img").first
    before = await first_preview.get_attribute("src")
    await page.get_by_label("Layout").select_option("modern")
    await page.get_by_label("Title", exact=True).fill("Certificate of Excellence")
    # The script posts the form as it changes and swaps the drawings in, no button pressed.
    await expect(first_preview).not_to_have_attribute("src", before)
    await assert_all_images_drawn(page)
    await look(page, "designer")

    await page.get_by_label("Design name").fill("Excellence")
    await page.get_by_role("button", name="Save design").click()
    await page.wait_for_url(re.compile(r"/app/designs#your-designs$"))
    assert await your_designs.get_by_text("Excellence", exact=True).count() == 1
    await assert_all_images_drawn(page)


async def test_the_designer_previews_without_javascript(chromium: Any, site: Site) -> None:  # noqa: F811
    context = await chromium.new_context(
        base_url=site.base_url, viewport=PHONE, java_script_enabled=False
    )
    try:
        page = await context.new_page()
        await sign_in(page, "/app/designs/designer")
        await page.get_by_label("Layout").select_option("badge")
        await page.get_by_label("Title", exact=True).fill("Shiny badge")
        await page.get_by_role("button", name="Preview").click()
        await page.wait_for_load_state()
        assert await page.get_by_label("Title", exact=True).input_value() == "Shiny badge"
        assert await page.locator("#preview figure").count() == 3
    finally:
        await context.close()


async def test_webhook_and_member_settings_look_right(page: Any, site: Site) -> None:  # noqa: F811
    await sign_in(page)
    await page.get_by_role("link", name="Settings").click()
    await page.get_by_role("link", name="Webhooks").click()
    await page.wait_for_url(re.compile(r"/app/settings/webhooks$"))
    await look(page, "webhooks")
    await page.get_by_role("link", name="OAuth apps").click()
    await page.get_by_label("Name (users see it when they consent)").fill("Course portal")
    await page.get_by_label("Redirect URIs").fill("https://portal.example.org/callback")
    await page.get_by_label("A server-side app with a client secret").check()
    await page.get_by_role("button", name="Register app").click()
    assert (await page.get_by_label("Client secret", exact=True).input_value()).startswith(
        "laurel_"
    )
    await look(page, "oauth-apps")
    await page.get_by_role("link", name="Members").click()
    await page.wait_for_url(re.compile(r"/app/settings/members$"))
    await look(page, "members-with-actions")
