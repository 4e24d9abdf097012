"""Designs in the web app: the starter gallery and the organization's designs as thumbnails,
copying a starter, and uploading an SVG. Managers and above; every rule is the designs
service's."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from laurel.db import DbSession
from laurel.designs import service as designs
from laurel.designs.schemas import DesignCreate
from laurel.designs.svg import MAX_SVG_BYTES
from laurel.gallery import service as gallery
from laurel.gallery.starters import STARTERS
from laurel.kit.errors import ValidationFailed
from laurel.kit.pagination import Cursor, PageParams
from laurel.kit.timestamps import utc_now
from laurel.models import DesignType, Role
from laurel.rendering import service as rendering
from laurel.rendering.pool import render_pool
from laurel.rendering.service import Rendered
from laurel.webapp import service
from laurel.webapp.rendering import render
from laurel.webapp.routing import SignedIn, WebAppRoute, settings_of
from laurel.webapp.service import Staff

router = APIRouter(prefix="/app/designs", route_class=WebAppRoute)

PAGE_SIZE = 24
FIELD_LABELS = {"name": "Name", "type": "Type", "svg": "SVG file"}


async def _designs_page(
    session: DbSession,
    staff: Staff,
    cursor: str = "",
    *,
    errors: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    params = PageParams(limit=PAGE_SIZE, cursor=Cursor.decode(cursor) if cursor else None)
    listed = await designs.list_designs(session, staff.principal, params)
    context = {
        "staff": staff,
        "active": "designs",
        "Role": Role,
        "starters": STARTERS,
        "designs": listed.rows,
        "next_cursor": listed.next,
        "errors": errors or {},
        "entered": entered or {"name": "", "type": "certificate"},
        "types": [kind.value for kind in DesignType],
    }
    return render("designs.html", context, status_code=status)


def _image(rendered: Rendered, request: Request) -> Response:
    # The content hash is what drew the image: a browser revalidates and gets a 304 for free.
    etag = f'"{rendered.content_hash[:32]}"'
    headers = {"Cache-Control": "private, no-cache", "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(rendered.content, media_type=rendered.media_type, headers=headers)


@router.get("", name="webapp.designs")
async def design_gallery(
    session: DbSession,
    staff: SignedIn,
    cursor: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The starter gallery and the organization's designs, drawn with sample values."""
    staff.require(Role.manager)
    return await _designs_page(session, staff, cursor)


@router.get("/starters/{starter_id}/preview.png", name="webapp.starter_preview")
async def starter_preview(
    request: Request, session: DbSession, staff: SignedIn, starter_id: str
) -> Response:
    """A starter's thumbnail, from the render cache after its first drawing."""
    staff.require(Role.manager)
    rendered = await gallery.preview_starter(
        session, settings_of(request), render_pool(request), starter_id, "png"
    )
    return _image(rendered, request)


@router.get("/{design_id}/preview.png", name="webapp.design_preview")
async def design_preview(
    request: Request, session: DbSession, staff: SignedIn, design_id: str
) -> Response:
    """One of the organization's designs drawn with sample values (404 for another's)."""
    staff.require(Role.manager)
    rendered = await rendering.preview_design(
        session, settings_of(request), render_pool(request), staff.principal, design_id, "png"
    )
    return _image(rendered, request)


@router.post("/starters/{starter_id}/copy", name="webapp.starter_copy")
async def copy_starter(session: DbSession, staff: SignedIn, starter_id: str) -> Response:
    """A copy of the starter among the organization's designs."""
    staff.require(Role.manager)
    design = await gallery.copy_starter(session, staff.principal, starter_id, None)
    service.record(
        session, staff, "design.copied", f"{design.id} (from {starter_id})", at=utc_now()
    )
    return RedirectResponse("/app/designs#your-designs", status_code=303)


async def _uploaded_svg(request: Request) -> str:
    upload = (await request.form()).get("svg")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise ValidationFailed("Choose an SVG file to upload", param="svg")
    content = await upload.read(MAX_SVG_BYTES + 1)
    if len(content) > MAX_SVG_BYTES:
        raise ValidationFailed(f"The file is larger than {MAX_SVG_BYTES // 1024} KiB", param="svg")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("The file is not UTF-8 text: is it an SVG?", param="svg") from None


def _design_create(fields: dict[str, str], svg: str) -> DesignCreate:
    try:
        return DesignCreate.model_validate(
            {"name": fields.get("name", ""), "type": fields.get("type", ""), "svg": svg}
        )
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "svg"
        message = f"{FIELD_LABELS.get(field, field)}: {first['msg']}"
        raise ValidationFailed(message, param=field) from None


@router.post("", name="webapp.design_upload")
async def upload_design(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """A new design from an uploaded SVG; the designs service's checks are shown by the field."""
    staff.require(Role.manager)
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    entered = {"name": fields.get("name", ""), "type": fields.get("type", "certificate")}
    try:
        data = _design_create(fields, await _uploaded_svg(request))
        design = await designs.create_design(session, staff.principal, data)
    except ValidationFailed as error:
        errors = {error.param or "svg": error.message}
        return await _designs_page(session, staff, errors=errors, entered=entered, status=400)
    service.record(session, staff, "design.uploaded", f"{design.id} ({design.name})", at=utc_now())
    return RedirectResponse("/app/designs#your-designs", status_code=303)
