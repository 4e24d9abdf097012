"""The records pages in headless Chromium, as a compliance manager uses them: set up what is
required, record certifications, read the gap report. The same server, browser and checks (axe,
labels, 375 px, screenshots) as test_browser.py, whose fixtures this module reuses."""

import re
from datetime import timedelta
from typing import Any

from laurel.kit.timestamps import utc_now
from tests.webapp.test_browser import (  # noqa: F401 - fixtures, found by name
    Site,
    chromium,
    look,
    page,
    sign_in,
    site,
)


async def test_set_up_requirements_record_certifications_and_read_the_gap_report(
    page: Any,  # noqa: F811 - the fixture imported above
    site: Site,  # noqa: F811
) -> None:
    await sign_in(page, "/app/records")
    assert await page.get_by_text("No certifications match").is_visible()
    await look(page, "records-empty")

    await page.get_by_role("link", name="Types, roles and qualifications").click()
    for title, slug in (("First aid", "first-aid"), ("CPR", "cpr")):
        await page.get_by_label("Title", exact=True).last.fill(title)
        await page.get_by_label("Slug").fill(slug)
        await page.get_by_role("button", name="Create type").click()
        await page.wait_for_url(re.compile(r"/app/records/setup$"))
    await page.get_by_label("Name", exact=True).nth(-2).fill("Nurse")
    await page.get_by_role("button", name="Create job role").click()
    await page.wait_for_url(re.compile(r"/app/records/setup$"))
    new_qualification = page.locator("form[action='/app/records/qualifications']")
    await new_qualification.get_by_label("Name", exact=True).fill("Ward ready")
    await new_qualification.get_by_label("First aid").check()
    await new_qualification.get_by_label("CPR").check()
    await new_qualification.get_by_label("Nurse").check()
    await page.get_by_role("button", name="Create qualification").click()
    await page.wait_for_url(re.compile(r"/app/records/setup$"))
    assert await page.get_by_role("cell", name="First aid, CPR").is_visible()
    await look(page, "records-setup")

    await page.goto("/app/records/gaps")
    await page.get_by_role("link", name="Olive Owner").click()
    await page.wait_for_url(re.compile(r"/app/records/members/[0-9a-z]+"))
    await page.get_by_label("Job role").select_option(label="Nurse")
    await page.get_by_role("button", name="Give this job role").click()
    await page.wait_for_url(re.compile(r"\?done=assigned$"))
    in_a_year = (utc_now().date() + timedelta(days=365)).isoformat()
    in_ten_days = (utc_now().date() + timedelta(days=10)).isoformat()
    await page.get_by_label("Certification type").select_option(label="First aid")
    await page.locator("#add-expires").fill(in_a_year)
    await page.get_by_role("button", name="Add certification").click()
    await page.wait_for_url(re.compile(r"\?done=added$"))

    await page.goto("/app/records/gaps")
    assert await page.locator("td .status-missing").inner_text() == "Missing"
    await page.get_by_role("link", name="Olive Owner").click()
    await page.get_by_label("Certification type").select_option(label="CPR")
    await page.locator("#add-expires").fill(in_ten_days)
    await page.get_by_role("button", name="Add certification").click()
    await page.wait_for_url(re.compile(r"\?done=added$"))
    assert await page.locator("td .status-expiring").inner_text() == "Expiring"
    await look(page, "record-member")

    await page.goto("/app/records/gaps")
    assert await page.locator("td .status-expiring").inner_text() == "Expiring"
    await look(page, "records-gaps")
    await page.goto("/app/records")
    assert await page.locator("td .status-valid").inner_text() == "Valid"
    await look(page, "records")
