"""Bulk issue from a CSV or XLSX upload: upload, map the columns, a dry run listing every bad
row, then issue (and send) with a progress page. Managers and up.

The checking and the writing are `laurel credentials import`'s own (`plan_import`,
`run_import`): as there, one bad row refuses the whole file and nothing is written until it is
fixed and uploaded again; the writing is resumable by row, so a run cut short is finished by
running the same upload again without duplicates.
"""

import asyncio
from pathlib import Path
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from laurel.attributes.repository import AttributeRepository
from laurel.config import Settings
from laurel.credentials.importer import ImportPlan, plan_import, run_import
from laurel.db import Database, DbSession
from laurel.kit.errors import Conflict, NotFound, ValidationFailed
from laurel.kit.timestamps import utc_now
from laurel.models import Role
from laurel.webapp import service
from laurel.webapp.imports import (
    STANDARD_FIELDS,
    StagedImport,
    guess_mapping,
    read_table,
    stage,
    staging_root,
    write_mapped,
)
from laurel.webapp.rendering import render
from laurel.webapp.repository import TemplateReads
from laurel.webapp.routing import SignedIn, WebAppRoute, settings_of
from laurel.webapp.service import Staff

router = APIRouter(prefix="/app/credentials/import", route_class=WebAppRoute)
log = structlog.get_logger()
# Background imports are referenced until they end: asyncio keeps only weak references to tasks.
_running: set[asyncio.Task[None]] = set()
BATCH_SIZE = 100


def _staging(request: Request) -> Path:
    return staging_root(settings_of(request))


Staging = Annotated[Path, Depends(_staging)]


def _page(staff: Staff, template: str, status: int = 200, **context: Any) -> Response:
    return render(
        template,
        {"staff": staff, "active": "import", "Role": Role, **context},
        status_code=status,
    )


async def _upload_page(
    request: Request,
    session: Any,
    staff: Staff,
    *,
    problem: str = "",
    done: str = "",
    status: int = 200,
) -> Response:
    templates = await TemplateReads(session).names(staff.organization_id)
    return _page(
        staff,
        "import_upload.html",
        status,
        templates=templates,
        problem=problem,
        done=done,
        max_kilobytes=_max_upload_bytes(request) // 1024,
    )


@router.get("", name="webapp.import_form")
async def import_form(
    request: Request,
    session: DbSession,
    staff: SignedIn,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """Upload a CSV or XLSX file of recipients to issue credentials to."""
    staff.require(Role.manager)
    return await _upload_page(request, session, staff, done=done)


def _max_upload_bytes(request: Request) -> int:
    # Every request body is bounded by LAUREL_MAX_BODY_BYTES before it reaches a route (1 MiB by
    # default: ~15,000 typical rows); the multipart framing takes a little of it.
    return settings_of(request).max_body_bytes


@router.post("", name="webapp.import_upload")
async def upload(
    request: Request, session: DbSession, staff: SignedIn, staging: Staging
) -> Response:
    """Stage the uploaded file; nothing is written to the database yet."""
    staff.require(Role.manager)
    form = await request.form()
    group_id = form.get("template")
    file = form.get("file")
    templates = dict(await TemplateReads(session).names(staff.organization_id))
    if not isinstance(group_id, str) or group_id not in templates:
        return await _upload_page(
            request, session, staff, problem="template: choose a credential template", status=400
        )
    if not isinstance(file, UploadFile) or not file.filename:
        return await _upload_page(
            request, session, staff, problem="file: choose a file", status=400
        )
    limit = _max_upload_bytes(request)
    content = await file.read(limit + 1)
    try:
        table = read_table(file.filename, content, limit)
        staged = stage(staging, staff.organization_id, group_id, file.filename, table)
    except ValidationFailed as error:
        return await _upload_page(request, session, staff, problem=error.message, status=400)
    return RedirectResponse(f"/app/credentials/import/{staged.upload_id}", status_code=303)


async def _attribute_tags(session: Any, organization_id: str) -> list[str]:
    return sorted(await AttributeRepository(session).custom_defaults(organization_id))


async def _mapping_page(
    session: Any,
    staff: Staff,
    staged: StagedImport,
    *,
    plan: ImportPlan | None = None,
    status: int = 200,
) -> Response:
    tags = await _attribute_tags(session, staff.organization_id)
    mapping = staged.mapping or guess_mapping(staged.headers, tags)
    templates = dict(await TemplateReads(session).names(staff.organization_id))
    return _page(
        staff,
        "import_map.html",
        status,
        staged=staged,
        template_name=templates.get(staged.group_id, ""),
        fields=[*STANDARD_FIELDS, *[(tag, f"Attribute {tag}") for tag in tags]],
        mapping=mapping,
        plan=plan,
    )


@router.get("/{upload_id}", name="webapp.import_upload_page")
async def upload_page(
    session: DbSession, staff: SignedIn, staging: Staging, upload_id: str
) -> Response:
    """An upload: its column mapping before the run, its progress during and after."""
    staff.require(Role.manager)
    staged = StagedImport.load(staging, staff.organization_id, upload_id)
    if staged.state != "uploaded":
        return _page(staff, "import_progress.html", staged=staged)
    return await _mapping_page(session, staff, staged)


@router.post("/{upload_id}/check", name="webapp.import_check")
async def dry_run(
    request: Request, session: DbSession, staff: SignedIn, staging: Staging, upload_id: str
) -> Response:
    """The dry run: apply the mapping and check every row with the importer's own checks."""
    staff.require(Role.manager)
    staged = _not_started(StagedImport.load(staging, staff.organization_id, upload_id))
    form = await request.form()
    tags = await _attribute_tags(session, staff.organization_id)
    targets = [target for target, _ in STANDARD_FIELDS] + tags
    mapping = {target: str(form.get(f"map.{target}") or "") for target in targets}
    write_mapped(staged, mapping)
    plan = await plan_import(_database(request), staff.organization_id, staged.mapped)
    return await _mapping_page(
        session, staff, staged, plan=plan, status=400 if plan.error_count else 200
    )


@router.post("/{upload_id}/run", name="webapp.import_run")
async def run(
    request: Request, session: DbSession, staff: SignedIn, staging: Staging, upload_id: str
) -> Response:
    """Issue (and optionally email) a credential per row, in the background; the page shows how
    far it got."""
    staff.require(Role.manager)
    staged = StagedImport.load(staging, staff.organization_id, upload_id)
    # A failed run is run again: the importer skips the rows it already wrote.
    if staged.state not in ("uploaded", "failed"):
        raise Conflict("This upload is already being issued")
    if not staged.mapping:
        raise Conflict("Check the file (the dry run) before issuing")
    database = _database(request)
    plan = await plan_import(database, staff.organization_id, staged.mapped)
    if plan.error_count:
        return await _mapping_page(session, staff, staged, plan=plan, status=400)
    staged.send = (await request.form()).get("send") == "on"
    staged.state, staged.failure, staged.done = "running", "", 0
    staged.save()
    action = "credentials.imported_and_sent" if staged.send else "credentials.imported"
    target = f"{plan.rows} rows of {staged.filename} into template {staged.group_id}"
    service.record(session, staff, action, target, at=utc_now())
    task = asyncio.create_task(_run(database, settings_of(request), staged, plan))
    _running.add(task)
    task.add_done_callback(_running.discard)
    return RedirectResponse(f"/app/credentials/import/{staged.upload_id}", status_code=303)


@router.post("/{upload_id}/cancel", name="webapp.import_cancel")
async def cancel(staff: SignedIn, staging: Staging, upload_id: str) -> Response:
    """Drop an upload that has not been issued: nothing of it was written."""
    staff.require(Role.manager)
    _not_started(StagedImport.load(staging, staff.organization_id, upload_id)).cancel()
    return RedirectResponse("/app/credentials/import?done=cancelled", status_code=303)


def _not_started(staged: StagedImport) -> StagedImport:
    if staged.state != "uploaded":
        raise Conflict("This upload is already being issued")
    return staged


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def _run(
    database: Database, settings: Settings, staged: StagedImport, plan: ImportPlan
) -> None:
    def advance(rows: int) -> None:
        staged.done += rows
        staged.save()

    try:
        result = await run_import(
            database,
            settings,
            plan,
            staged.group_id,
            issue=True,
            send=staged.send,
            batch_size=BATCH_SIZE,
            progress=advance,
        )
    except NotFound as error:
        staged.state, staged.failure = "failed", error.message
    except Exception:
        log.exception("webapp.import_failed", upload_id=staged.upload_id)
        staged.state = "failed"
        staged.failure = "The import stopped before the end; issue the rest to finish it"
    else:
        staged.state = "done"
        staged.created, staged.skipped = result.created, result.skipped
        staged.not_emailed = result.not_emailed
    staged.save()
