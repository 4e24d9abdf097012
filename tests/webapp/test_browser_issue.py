"""Bulk issue, credential templates and email templates in headless Chromium, as a person uses
them: a 200-row CSV with three bad rows (see them, fix them, issue), a template made from a form,
an email template previewed and saved. Each page is screenshotted and checked by axe-core, for
unlabelled fields and for sideways overflow at 375 px (`look`, shared with test_browser.py)."""

import csv
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.webapp.test_browser import (
    Site,
    chromium,  # noqa: F401 (a fixture this module uses)
    look,
    sign_in,
    site,  # noqa: F401 (a fixture this module uses)
    watched_page,
)

# The dry run of a file with bad rows answers 400 (the page lists them); every other failed
# request is a problem.
DRY_RUN = re.compile(r"/app/credentials/import/[A-Za-z0-9_-]+/check$")


@pytest.fixture
async def page(chromium: Any, site: Site) -> AsyncIterator[Any]:  # noqa: F811
    async with watched_page(
        chromium, site, lambda response: bool(DRY_RUN.search(response.url))
    ) as opened:
        yield opened


def roster(path: Path, *, bad: bool) -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Full Name", "E-mail", "Completed on"])
    for number in range(1, 201):
        name, email, completed = f"Learner {number}", f"learner{number}@example.org", "2026-03-01"
        if bad and number == 17:
            name = ""
        if bad and number == 88:
            email = "not-an-email"
        if bad and number == 150:
            completed = "2025-13-40"
        writer.writerow([name, email, completed])
    path.write_text(out.getvalue())
    return path


async def upload_and_check(page: Any, file: Path) -> None:
    await page.goto("/app/credentials/import")
    await page.get_by_label("Credential template").select_option(label="Financial Markets")
    await page.get_by_label("File (CSV or XLSX").set_input_files(str(file))
    await page.get_by_role("button", name="Upload and map columns").click()
    await page.wait_for_url(re.compile(r"/app/credentials/import/[A-Za-z0-9_-]{22}$"))
    assert await page.get_by_label("Recipient name").input_value() == "Full Name"
    await page.get_by_label("Issue date").select_option("Completed on")
    await page.get_by_role("button", name="Check every row (dry run)").click()


async def test_bulk_issue_a_200_row_csv_with_three_bad_rows(page: Any, tmp_path: Path) -> None:
    await sign_in(page, "/app/credentials/import")
    await look(page, "import-upload")
    await upload_and_check(page, roster(tmp_path / "roster.csv", bad=True))
    alert = page.get_by_role("alert")
    assert "3 problems" in await alert.inner_text()
    problems = await page.locator(".problems li").all_inner_texts()
    assert [problem.split(":")[0] for problem in problems] == ["line 18", "line 89", "line 151"]
    assert await page.get_by_role("button", name=re.compile("^Issue ")).count() == 0
    await look(page, "import-dry-run-problems")

    await upload_and_check(page, roster(tmp_path / "fixed.csv", bad=False))
    assert "All 200 rows are fine" in await page.get_by_role("status").inner_text()
    await look(page, "import-dry-run-fine")
    await page.get_by_role("button", name="Issue 200 credentials").click()
    await page.get_by_text("Done: 200 credentials issued").wait_for()
    await look(page, "import-done")
    await page.get_by_role("link", name="See them").click()
    assert await page.get_by_role("link", name="Learner 200", exact=True).is_visible()


async def test_a_template_and_an_email_template_made_in_forms(page: Any) -> None:
    await sign_in(page, "/app/settings/email-templates")
    await look(page, "email-templates")
    await page.get_by_role("link", name="New email template").click()
    await page.get_by_label("Name").fill("Course completed")
    await page.get_by_label("Subject").fill("Well done, [recipient.name]")
    await page.get_by_role("button", name="Preview").click()
    assert await page.get_by_test_id("preview-subject").inner_text() == "Well done, Alex Example"
    await look(page, "email-template-preview")
    await page.get_by_role("button", name="Create email template").click()
    assert await page.get_by_role("status").inner_text() == "Saved."

    await page.get_by_role("link", name="Templates", exact=True).click()
    await look(page, "templates")
    await page.get_by_role("link", name="New template").click()
    await page.get_by_label("Name (shown as [group.name])").fill("Course Completion")
    await page.get_by_label("Design 1").select_option(index=1)
    await page.get_by_label("Description (optional").fill("Completed the whole course.")
    await page.get_by_label("Criteria (optional").fill("- Attend every session\n- Pass the quiz")
    await page.get_by_label("Expire after").fill("2")
    await page.get_by_label("Unit (never").select_option("years")
    await page.get_by_label("Email template").select_option(label="Course completed")
    await look(page, "template-new")
    await page.get_by_role("button", name="Create template").click()
    assert await page.get_by_role("status").inner_text() == "Saved."
    assert await page.get_by_label("Expire after").input_value() == "2"
    await page.get_by_role("link", name="All templates").click()
    assert await page.get_by_role("link", name="Course Completion").is_visible()
    assert await page.get_by_role("cell", name="Course completed").is_visible()
    assert await page.get_by_role("cell", name="expires 2 years after issue").is_visible()
