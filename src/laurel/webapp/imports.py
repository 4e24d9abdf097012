"""Bulk issue in the web app: an uploaded CSV or XLSX file staged on disk, its columns mapped onto
the importer's, then checked and run by the CLI's own importer (`credentials.importer`).

An upload lives in its own directory under its organization's, named by a random id: another
organization's id is simply not there (404). Nothing reaches the database before "Issue"; a
cancelled upload is a deleted directory.
"""

import csv
import io
import json
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from laurel.config import Settings
from laurel.kit.errors import NotFound, ValidationFailed

UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
# An upload nobody touched for this long is deleted when the organization uploads the next one;
# the staging directory does not grow for ever with abandoned files.
ABANDONED_AFTER_SECONDS = 24 * 3600
# A run saves its progress every batch (100 rows, well under a minute); one silent this long died.
STALLED_AFTER_SECONDS = 300
# A compressed XLSX within the body limit can still unpack to a great many rows; beyond this the
# CLI is the tool.
MAX_ROWS = 50_000
STANDARD_FIELDS = (
    ("name", "Recipient name"),
    ("email", "Recipient email"),
    ("issue_date", "Issue date"),
    ("expiry_date", "Expiry date"),
)
_GUESSES = {
    "name": ("name", "recipientname", "recipient.name", "fullname", "recipient"),
    "email": ("email", "recipientemail", "recipient.email", "emailaddress", "mail"),
    "issue_date": ("issuedate", "issue_date", "issued", "dateissued", "date"),
    "expiry_date": ("expirydate", "expiry_date", "expires", "expirationdate", "validuntil"),
}


def staging_root(settings: Settings) -> Path:
    """`LAUREL_IMPORT_STAGING_DIR`, or `laurel-imports` in the system's temporary directory."""
    configured = settings.import_staging_dir
    return Path(configured) if configured else Path(tempfile.gettempdir()) / "laurel-imports"


@dataclass
class StagedImport:
    """What is known of one upload; kept as JSON beside its rows."""

    root: str  # the staging directory (staging_root)
    upload_id: str
    organization_id: str
    filename: str
    group_id: str
    headers: list[str]
    rows: int
    state: str = "uploaded"  # uploaded -> running -> done | failed
    mapping: dict[str, str] = field(default_factory=dict)
    send: bool = False
    done: int = 0
    created: int = 0
    skipped: int = 0
    not_emailed: int = 0
    failure: str = ""

    @property
    def directory(self) -> Path:
        return Path(self.root) / self.organization_id / self.upload_id

    @property
    def source(self) -> Path:
        return self.directory / "source.csv"

    @property
    def mapped(self) -> Path:
        return self.directory / "mapped.csv"

    def save(self) -> None:
        # Written whole and renamed, so the progress page never reads half a file.
        partial = self.directory / "state.json.tmp"
        partial.write_text(json.dumps(asdict(self)))
        partial.replace(self.directory / "state.json")

    @classmethod
    def load(cls, root: Path, organization_id: str, upload_id: str) -> "StagedImport":
        if not UPLOAD_ID.match(upload_id):
            raise NotFound("No upload of this organization has that id")
        path = root / organization_id / upload_id / "state.json"
        try:
            staged = cls(**{**json.loads(path.read_text()), "root": str(root)})
            saved_at = path.stat().st_mtime
        except FileNotFoundError:
            raise NotFound("No upload of this organization has that id") from None
        if staged.state == "running" and saved_at < time.time() - STALLED_AFTER_SECONDS:
            # Progress is saved every batch; this long without any, the process running it has
            # gone (a restart, a deploy). The importer skips what was written, so it can resume.
            staged.state = "failed"
            staged.failure = "The import stopped before the end; issue the rest to finish it"
        return staged

    def cancel(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_table(filename: str, content: bytes, max_bytes: int) -> list[list[str]]:
    """The file's rows as text, header first: CSV (UTF-8) or XLSX (its first sheet)."""
    if not content:
        raise ValidationFailed("file: the file is empty", param="file")
    if len(content) > max_bytes:
        raise ValidationFailed(f"file: at most {max_bytes} bytes per upload", param="file")
    if filename.lower().endswith(".xlsx"):
        return _xlsx_rows(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("file: save the CSV as UTF-8", param="file") from None
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]


def _xlsx_rows(content: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises several unrelated types for a file that is not XLSX
        raise ValidationFailed("file: not a readable XLSX workbook", param="file") from None
    rows: list[list[str]] = []
    for values in workbook.worksheets[0].iter_rows(values_only=True):
        row = [_cell(value) for value in values]
        # A blank row stays a (blank) line, so line numbers remain the sheet's row numbers.
        rows.append(row if any(row) else [])
        if len(rows) > MAX_ROWS + 1:
            workbook.close()
            raise ValidationFailed(f"file: at most {MAX_ROWS} rows per upload", param="file")
    workbook.close()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def stage(
    root: Path, organization_id: str, group_id: str, filename: str, table: list[list[str]]
) -> StagedImport:
    if not table or not any(table[0]):
        raise ValidationFailed("file: the first row must name the columns", param="file")
    headers = table[0]
    _forget_abandoned(root / organization_id)
    staged = StagedImport(
        root=str(root),
        upload_id=secrets.token_urlsafe(16),
        organization_id=organization_id,
        filename=Path(filename).name[:200] or "upload",
        group_id=group_id,
        headers=headers,
        rows=sum(1 for row in table[1:] if any(row)),
    )
    staged.directory.mkdir(parents=True)
    with staged.source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)
    staged.save()
    return staged


def _forget_abandoned(organization_directory: Path) -> None:
    if not organization_directory.is_dir():
        return
    cutoff = time.time() - ABANDONED_AFTER_SECONDS
    for upload in organization_directory.iterdir():
        state = upload / "state.json"
        try:
            if state.stat().st_mtime < cutoff:
                shutil.rmtree(upload, ignore_errors=True)
        except FileNotFoundError:
            continue


def _compact(header: str) -> str:
    return header.strip().lower().replace(" ", "").replace("-", "").replace("_", "")


def guess_mapping(headers: list[str], attribute_tags: list[str]) -> dict[str, str]:
    """Which column is which field, from the headers' names: a guess the person corrects."""
    compact = {_compact(header): header for header in headers}
    mapping: dict[str, str] = {}
    for target, names in _GUESSES.items():
        for name in names:
            if _compact(name) in compact:
                mapping[target] = compact[_compact(name)]
                break
    for tag in attribute_tags:
        bare = tag.removeprefix("custom.")
        for candidate in (tag, bare):
            if _compact(candidate) in compact:
                mapping[tag] = compact[_compact(candidate)]
                break
    return mapping


def write_mapped(staged: StagedImport, mapping: dict[str, str]) -> None:
    """The upload rewritten with the importer's column names, one line per source line, so the
    importer's line numbers are the spreadsheet's row numbers."""
    for target, column in mapping.items():
        if column and column not in staged.headers:
            raise ValidationFailed(f"{target}: no column named '{column}'", param=target)
    chosen = [
        (target, staged.headers.index(column)) for target, column in mapping.items() if column
    ]
    with staged.source.open(newline="", encoding="utf-8") as source:
        rows = csv.reader(source)
        next(rows, None)
        with staged.mapped.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow([target for target, _ in chosen])
            for row in rows:
                if not any(row):
                    writer.writerow([])  # blank, skipped by the importer, keeping line numbers
                    continue
                writer.writerow([row[index] if index < len(row) else "" for _, index in chosen])
    staged.mapping = {target: column for target, column in mapping.items() if column}
    staged.save()
