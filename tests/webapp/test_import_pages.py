"""Bulk issue in the web app: upload, column mapping, the dry run's row problems, the run with its
progress page, cancelling; scoped to the organization and to managers and up."""

import asyncio
import csv
import io
import os
import re
import time
from datetime import date
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from laurel.config import Settings
from laurel.db import Database
from laurel.models import AuditEvent, Credential, Role
from laurel.webapp.imports import StagedImport, staging_root
from tests.conftest import CertifierClient, Tenant
from tests.webapp.conftest import Browser, BrowserFactory


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The suite's settings, with uploads staged in the test's own directory."""
    return settings.model_copy(update={"import_staging_dir": str(tmp_path / "staging")})


UPLOAD_PAGE = re.compile(r"/app/credentials/import/([A-Za-z0-9_-]{22})$")
BAD_ROWS = {17: "", 88: "not-an-email", 150: "2025-13-40"}


def roster(rows: int = 200, *, bad: bool = True) -> bytes:
    """A spreadsheet export with its own column names; three bad rows unless fixed."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Full Name", "E-mail", "Completed"])
    for number in range(1, rows + 1):
        name, email, completed = f"Learner {number}", f"learner{number}@example.org", "2026-03-01"
        if bad and number == 17:
            name = ""
        if bad and number == 88:
            email = "not-an-email"
        if bad and number == 150:
            completed = "2025-13-40"
        writer.writerow([name, email, completed])
    return out.getvalue().encode()


async def upload(browser: Browser, group_id: str, content: bytes, filename: str) -> httpx.Response:
    return await browser.http.post(
        "/app/credentials/import",
        data={"csrf_token": browser.csrf, "template": group_id},
        files={"file": (filename, content)},
    )


async def staged_upload(browser: Browser, group_id: str, content: bytes, name: str) -> str:
    await browser.get("/app/credentials/import")
    response = await upload(browser, group_id, content, name)
    assert response.status_code == 303, response.text
    match = UPLOAD_PAGE.search(response.headers["location"])
    assert match is not None
    return match[1]


MAPPING = {"map.name": "Full Name", "map.email": "E-mail", "map.issue_date": "Completed"}


async def credentials_of(database: Database, group_id: str) -> int:
    async with database.sessions() as session:
        statement = (
            select(func.count()).select_from(Credential).where(Credential.group_id == group_id)
        )
        return int((await session.execute(statement)).scalar_one())


async def finished(browser: Browser, upload_id: str) -> str:
    """The progress page once the background run has ended (polled, as its meta refresh does)."""
    for _ in range(400):
        page = await browser.get(f"/app/credentials/import/{upload_id}")
        if 'http-equiv="refresh"' not in page.text:
            return page.text
        await asyncio.sleep(0.05)
    raise AssertionError("the import never finished")


async def test_the_dry_run_lists_every_bad_row_then_the_fixed_file_issues_all_200(
    signed_in_manager: Browser,
    database: Database,
    group_id: str,
    settings: Settings,
    tenant: Tenant,
) -> None:
    upload_id = await staged_upload(signed_in_manager, group_id, roster(), "roster.csv")
    mapping_page = await signed_in_manager.get(f"/app/credentials/import/{upload_id}")
    assert "200 rows" in mapping_page.text
    # Guessed from the headers: "Full Name" is the name, "E-mail" the email.
    assert '<option value="Full Name" selected>' in mapping_page.text
    assert '<option value="E-mail" selected>' in mapping_page.text

    dry_run = await signed_in_manager.post(f"/app/credentials/import/{upload_id}/check", MAPPING)
    assert dry_run.status_code == 400
    assert "3 problems" in dry_run.text
    # Line numbers are the file's: data row N is line N + 1.
    assert "line 18: name is required" in dry_run.text
    assert "line 89: email &#39;not-an-email&#39;" in dry_run.text
    assert "line 151: issue_date &#39;2025-13-40&#39; is not a date" in dry_run.text
    assert f"/app/credentials/import/{upload_id}/run" not in dry_run.text
    refused = await signed_in_manager.post(f"/app/credentials/import/{upload_id}/run")
    assert refused.status_code == 400
    assert await credentials_of(database, group_id) == 0

    fixed_id = await staged_upload(signed_in_manager, group_id, roster(bad=False), "fixed.csv")
    await signed_in_manager.get(f"/app/credentials/import/{fixed_id}")
    checked = await signed_in_manager.post(f"/app/credentials/import/{fixed_id}/check", MAPPING)
    assert checked.status_code == 200
    assert "All 200 rows are fine" in checked.text
    # Staged where LAUREL_IMPORT_STAGING_DIR says, in the organization's own directory.
    assert (staging_root(settings) / tenant.organization_id / fixed_id / "source.csv").is_file()
    started = await signed_in_manager.post(f"/app/credentials/import/{fixed_id}/run")
    assert started.status_code == 303
    done = await finished(signed_in_manager, fixed_id)
    assert "Done: 200 credentials issued" in done
    assert await credentials_of(database, group_id) == 200
    async with database.sessions() as session:
        actions = (await session.execute(select(AuditEvent.action, AuditEvent.target))).all()
    assert ("credentials.imported", f"200 rows of fixed.csv into template {group_id}") in [
        tuple(row) for row in actions
    ]


async def test_a_cancelled_upload_writes_nothing_and_is_gone(
    signed_in_manager: Browser,
    database: Database,
    tenant: Tenant,
    group_id: str,
    settings: Settings,
) -> None:
    upload_id = await staged_upload(signed_in_manager, group_id, roster(bad=False), "r.csv")
    await signed_in_manager.get(f"/app/credentials/import/{upload_id}")
    await signed_in_manager.post(f"/app/credentials/import/{upload_id}/check", MAPPING)
    staged = StagedImport.load(staging_root(settings), tenant.organization_id, upload_id)
    cancelled = await signed_in_manager.post(f"/app/credentials/import/{upload_id}/cancel")
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == "/app/credentials/import?done=cancelled"
    assert not staged.directory.exists()
    assert (await signed_in_manager.get(f"/app/credentials/import/{upload_id}")).status_code == 404
    run = await signed_in_manager.post(f"/app/credentials/import/{upload_id}/run")
    assert run.status_code == 404
    assert await credentials_of(database, group_id) == 0


async def test_an_xlsx_upload_is_mapped_and_issued_like_a_csv(
    signed_in_manager: Browser, database: Database, group_id: str
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Name", "Email", "Issue date"])
    sheet.append(["Ada Lovelace", "ada@example.org", date(2026, 2, 1)])
    sheet.append([None, None, None])
    sheet.append(["Grace Hopper", "grace@example.org", "2026-02-31"])
    content = io.BytesIO()
    workbook.save(content)
    upload_id = await staged_upload(signed_in_manager, group_id, content.getvalue(), "r.xlsx")
    page = await signed_in_manager.get(f"/app/credentials/import/{upload_id}")
    assert "2 rows" in page.text
    mapping = {"map.name": "Name", "map.email": "Email", "map.issue_date": "Issue date"}
    checked = await signed_in_manager.post(f"/app/credentials/import/{upload_id}/check", mapping)
    # The sheet's row 4 (a blank row 3 above it keeps its place); a real date cell is fine.
    assert "line 4: issue_date &#39;2026-02-31&#39; is not a date" in checked.text
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Name", "Email", "Issue date"])
    sheet.append(["Ada Lovelace", "ada@example.org", date(2026, 2, 1)])
    sheet.append([None, None, None])
    sheet.append(["Grace Hopper", "grace@example.org", "2026-02-28"])
    content = io.BytesIO()
    workbook.save(content)
    upload_id = await staged_upload(signed_in_manager, group_id, content.getvalue(), "r.xlsx")
    await signed_in_manager.get(f"/app/credentials/import/{upload_id}")
    checked = await signed_in_manager.post(f"/app/credentials/import/{upload_id}/check", mapping)
    assert "All 2 rows are fine" in checked.text
    await signed_in_manager.post(f"/app/credentials/import/{upload_id}/run", {"send": "on"})
    assert "Done: 2 credentials issued" in await finished(signed_in_manager, upload_id)
    assert await credentials_of(database, group_id) == 2


async def test_an_upload_abandoned_for_a_day_is_deleted_by_the_next_one(
    signed_in_manager: Browser, tenant: Tenant, group_id: str, settings: Settings
) -> None:
    old_id = await staged_upload(signed_in_manager, group_id, roster(), "old.csv")
    old = StagedImport.load(staging_root(settings), tenant.organization_id, old_id)
    day_and_a_bit_ago = time.time() - 25 * 3600
    os.utime(old.directory / "state.json", (day_and_a_bit_ago, day_and_a_bit_ago))
    await staged_upload(signed_in_manager, group_id, roster(), "new.csv")
    assert not old.directory.exists()
    assert (await signed_in_manager.get(f"/app/credentials/import/{old_id}")).status_code == 404


async def test_a_run_cut_short_is_finished_by_issuing_the_rest_without_duplicates(
    signed_in_manager: Browser,
    database: Database,
    tenant: Tenant,
    group_id: str,
    settings: Settings,
) -> None:
    upload_id = await staged_upload(signed_in_manager, group_id, roster(bad=False), "r.csv")
    await signed_in_manager.get(f"/app/credentials/import/{upload_id}")
    await signed_in_manager.post(f"/app/credentials/import/{upload_id}/check", MAPPING)
    await signed_in_manager.post(f"/app/credentials/import/{upload_id}/run")
    assert "Done: 200 credentials issued" in await finished(signed_in_manager, upload_id)
    # As a process that died mid-run leaves it: "running", and silent for ten minutes.
    staged = StagedImport.load(staging_root(settings), tenant.organization_id, upload_id)
    staged.state = "running"
    staged.save()
    ten_minutes_ago = time.time() - 600
    os.utime(staged.directory / "state.json", (ten_minutes_ago, ten_minutes_ago))
    stalled = await signed_in_manager.get(f"/app/credentials/import/{upload_id}")
    assert "The import stopped before the end" in stalled.text
    await signed_in_manager.post(f"/app/credentials/import/{upload_id}/run")
    done = await finished(signed_in_manager, upload_id)
    assert "Done: 0 credentials issued, 200 already issued by an earlier run" in done
    assert await credentials_of(database, group_id) == 200


async def test_a_custom_attribute_column_is_guessed_and_imported(
    signed_in_manager: Browser, api: CertifierClient, database: Database, group_id: str
) -> None:
    response = await api.request("POST", "/v1/attributes", json={"tag": "mentor", "name": "Mentor"})
    assert response.status_code == 200, response.text
    content = b"Name,Email,Mentor\nAda Lovelace,ada@example.org,Charles Babbage\n"
    upload_id = await staged_upload(signed_in_manager, group_id, content, "mentors.csv")
    page = await signed_in_manager.get(f"/app/credentials/import/{upload_id}")
    assert '<option value="Mentor" selected>' in page.text
    mapping = {"map.name": "Name", "map.email": "Email", "map.custom.mentor": "Mentor"}
    await signed_in_manager.post(f"/app/credentials/import/{upload_id}/check", mapping)
    await signed_in_manager.post(f"/app/credentials/import/{upload_id}/run")
    assert "Done: 1 credential issued" in await finished(signed_in_manager, upload_id)
    async with database.sessions() as session:
        attributes = (await session.execute(select(Credential.custom_attributes))).scalar_one()
    assert attributes == {"custom.mentor": "Charles Babbage"}


async def test_bad_uploads_are_400_pages_naming_the_field(
    signed_in_manager: Browser, group_id: str
) -> None:
    await signed_in_manager.get("/app/credentials/import")
    empty = await upload(signed_in_manager, group_id, b"", "empty.csv")
    assert empty.status_code == 400
    assert "file: the file is empty" in empty.text
    not_xlsx = await upload(signed_in_manager, group_id, b"plain text", "sheet.xlsx")
    assert not_xlsx.status_code == 400
    assert "file: not a readable XLSX workbook" in not_xlsx.text
    # Beyond LAUREL_MAX_BODY_BYTES the body is refused before the route reads any of it.
    too_big = await upload(signed_in_manager, group_id, b"a" * (2 * 1024 * 1024), "big.csv")
    assert too_big.status_code == 413
    no_template = await upload(signed_in_manager, "grp_unknown", roster(), "r.csv")
    assert no_template.status_code == 400
    assert "template: choose a credential template" in no_template.text


async def test_another_organizations_upload_is_not_found(
    signed_in_manager: Browser,
    make_staff: BrowserFactory,
    other_tenant: Tenant,
    group_id: str,
) -> None:
    upload_id = await staged_upload(signed_in_manager, group_id, roster(), "r.csv")
    stranger = await make_staff(other_tenant.organization_id, Role.owner)
    await stranger.sign_in()
    assert (await stranger.get(f"/app/credentials/import/{upload_id}")).status_code == 404
    for action in ("check", "run", "cancel"):
        response = await stranger.post(f"/app/credentials/import/{upload_id}/{action}", MAPPING)
        assert response.status_code == 404, action
    # Their own template is not theirs to upload into either.
    stranger_upload = await upload(stranger, group_id, roster(), "r.csv")
    assert stranger_upload.status_code == 400


async def test_members_may_not_bulk_issue_and_every_post_needs_the_csrf_token(
    signed_in_manager: Browser, make_staff: BrowserFactory, tenant: Tenant, group_id: str
) -> None:
    member = await make_staff(tenant.organization_id, Role.member)
    await member.sign_in()
    assert (await member.get("/app/credentials/import")).status_code == 403
    assert (await upload(member, group_id, roster(), "r.csv")).status_code == 403

    upload_id = await staged_upload(signed_in_manager, group_id, roster(), "r.csv")
    assert (await member.get(f"/app/credentials/import/{upload_id}")).status_code == 403
    forged = await signed_in_manager.http.post(
        "/app/credentials/import",
        data={"template": group_id},
        files={"file": ("r.csv", roster())},
    )
    assert forged.status_code == 403
    for action in ("check", "run", "cancel"):
        response = await signed_in_manager.http.post(
            f"/app/credentials/import/{upload_id}/{action}", data=MAPPING
        )
        assert response.status_code == 403, action
