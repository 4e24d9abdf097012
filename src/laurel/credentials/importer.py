"""Bulk issuance from a CSV file: validate every row first, then insert in batches, resumably.

Each row's credential carries an import key made of the file's digest and the row's line number,
so running the same file again (after a crash, or Ctrl-C) inserts only what is missing: no
duplicates, and no second email for a credential already sent. With `send`, a row without an
email is issued and not emailed (and counted), as create-issue-send does.
"""

import csv
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError

from laurel.attributes.repository import AttributeRepository
from laurel.config import Settings
from laurel.credentials.delivery import Change, CredentialJobs
from laurel.credentials.repository import CredentialRepository
from laurel.credentials.schemas import CredentialView
from laurel.credentials.service import today
from laurel.db import Database
from laurel.delivery.repository import OutboxRepository
from laurel.email_templates.service import chosen_template
from laurel.groups.repository import GroupRepository
from laurel.kit.errors import NotFound
from laurel.kit.fields import normalized_email
from laurel.models import CredentialState

COLUMN_ALIASES = {
    "name": "name",
    "recipientname": "name",
    "recipient.name": "name",
    "email": "email",
    "recipientemail": "email",
    "recipient.email": "email",
    "issuedate": "issue_date",
    "issue_date": "issue_date",
    "expirydate": "expiry_date",
    "expiry_date": "expiry_date",
}
MAX_REPORTED_ERRORS = 50


@dataclass
class ImportPlan:
    path: Path
    rows: int = 0
    digest: str = ""
    custom_columns: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    not_emailed: int = 0  # created with `send`, but without an email address


def _canonical(header: str) -> str:
    compact = header.strip().lower().replace(" ", "").replace("-", "")
    if compact.startswith("custom."):
        return compact
    return COLUMN_ALIASES.get(compact, COLUMN_ALIASES.get(compact.replace("_", ""), compact))


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        reader.fieldnames = [_canonical(name) for name in reader.fieldnames or []]
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def _parse_date(text: str, column: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column} '{text}' is not a date (YYYY-MM-DD)") from None


def parse_row(row: dict[str, str], custom_columns: dict[str, str]) -> dict[str, Any]:
    """One CSV row as credential columns; ValueError says what is wrong with it."""
    name = row.get("name", "")
    if not name or len(name) > 255:
        raise ValueError("name is required (at most 255 characters)")
    email = row.get("email") or None
    if email is not None:
        try:
            email = normalized_email(email)
        except EmailNotValidError as error:
            raise ValueError(f"email '{email}': {error}") from None
    issue = _parse_date(row.get("issue_date", ""), "issue_date") or today()
    expiry = _parse_date(row.get("expiry_date", ""), "expiry_date")
    if expiry is not None and expiry < issue:
        raise ValueError("expiry_date is before issue_date")
    return {
        "recipient_name": name,
        "recipient_email": email,
        "issue_date": issue,
        "expiry_date": expiry,
        "custom_attributes": {
            tag: row[column] for column, tag in custom_columns.items() if row.get(column)
        },
    }


async def plan_import(database: Database, organization_id: str, path: Path) -> ImportPlan:
    """Read the whole file once: count rows, check every one, and fingerprint the file."""
    plan = ImportPlan(path)
    async with database.sessions() as session:
        defined = await AttributeRepository(session).custom_defaults(organization_id)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    plan.digest = digest.hexdigest()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        headers = [_canonical(name) for name in next(csv.reader(handle), [])]
    if "name" not in headers:
        plan.errors.append("line 1: the header has no name column (name or recipient.name)")
        plan.error_count += 1
    for column in headers:
        if column.startswith("custom."):
            if column in defined:
                plan.custom_columns[column] = column
            else:
                plan.errors.append(f"line 1: {column} is not an attribute of this organization")
                plan.error_count += 1
    for line, row in _rows(path):
        plan.rows += 1
        try:
            parse_row(row, plan.custom_columns)
        except ValueError as error:
            plan.error_count += 1
            if len(plan.errors) < MAX_REPORTED_ERRORS:
                plan.errors.append(f"line {line}: {error}")
    return plan


# The keyword arguments are `laurel credentials import`'s options one for one. Grouping them
# (an ImportOptions) changes the CLI's call, which is being moved out of cli.py in parallel.
async def run_import(  # noqa: PLR0913
    database: Database,
    settings: Settings,
    plan: ImportPlan,
    group_id: str,
    *,
    issue: bool,
    send: bool,
    batch_size: int = 1000,
    progress: Callable[[int], None] = lambda _: None,
) -> ImportResult:
    async with database.sessions() as session:
        organization_id = await GroupRepository(session).organization_of(group_id)
        if organization_id is None:
            raise NotFound(f"No credential template with id '{group_id}'")
        group = await GroupRepository(session).get_view(organization_id, group_id)
        assert group is not None
        template = None
        if send:
            template = await chosen_template(
                session,
                organization_id,
                requested_id=None,
                group_template_id=group.email_template_id,
            )
        context = _Context(
            group_name=group.name,
            # `send` issues too, as create-issue-send does.
            change=Change(created=True, issued=issue or send, sent=send),
            jobs=await CredentialJobs.load(
                session, settings, organization_id, email_template=template
            ),
            custom_defaults=await AttributeRepository(session).custom_defaults(organization_id),
        )
    result = ImportResult()
    batch: list[dict[str, Any]] = []
    for line, row in _rows(plan.path):
        values = parse_row(row, plan.custom_columns)
        # An empty expiry cell is "not given": the template's rule, if any, derives it.
        if values["expiry_date"] is None:
            values["expiry_date"] = group.expiry_after(values["issue_date"])
        values |= {
            "group_id": group_id,
            "state": CredentialState.issued if context.change.issued else CredentialState.draft,
            "import_key": hashlib.sha256(f"{plan.digest}:{line}".encode()).hexdigest(),
        }
        batch.append(CredentialRepository.new_row(organization_id, values))
        if len(batch) >= batch_size:
            await _write_batch(database, context, batch, result)
            progress(len(batch))
            batch = []
    if batch:
        await _write_batch(database, context, batch, result)
        progress(len(batch))
    return result


@dataclass(frozen=True)
class _Context:
    """What every batch of one import shares, read once at the start."""

    group_name: str
    change: Change
    jobs: CredentialJobs
    custom_defaults: dict[str, str | None]


async def _write_batch(
    database: Database, context: _Context, rows: list[dict[str, Any]], result: ImportResult
) -> None:
    jobs: list[dict[str, Any]] = []
    async with database.sessions() as session, session.begin():
        inserted = set(await CredentialRepository(session).insert_many_once(rows))
        result.created += len(inserted)
        result.skipped += len(rows) - len(inserted)
        for row in rows:
            if row["id"] not in inserted:
                continue
            view = CredentialView.from_row(row, context.group_name)
            built = context.jobs.for_change(
                row["id"],
                partial(view.to_read, today(), context.custom_defaults),
                context.change,
                message_id=f"<{row['id']}.import@laurel>",
            )
            jobs += built.jobs
            if context.change.sent and not built.emailed:
                result.not_emailed += 1
        await OutboxRepository(session).add(jobs)
