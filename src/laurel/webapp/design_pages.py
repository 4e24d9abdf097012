"""Designs in the web app: the starter gallery and the organization's designs as thumbnails,
copying a starter, and uploading an SVG. Managers and above; every rule is the designs
service's."""

import base64
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from laurel.db import DbSession
from laurel.designs import service as designs
from laurel.designs.builder import (
    ATTRIBUTES,
    DEFAULT_SLOTS,
    FONT_LABELS,
    LAYOUTS,
    MAX_LOGO_BYTES,
    SLOTS,
    DesignerChoices,
    build_svg,
    logo_data_uri,
)
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


# The designer's preview draws the design three times: with the sample values, and with the
# names that break naive layouts (one too long for its box, one written right to left).
PREVIEW_NAMES = (
    ("Sample values", None),
    ("A long name", "Maria Alexandra Konstantinopoulou-Vanderbilt de la Fuente y Castellanos"),
    ("A right-to-left name", "محمد بن موسى الخوارزمي"),
)


@dataclass(frozen=True)
class Preview:
    caption: str
    data_uri: str


async def _previews(request: Request, session: DbSession, svg: str) -> list[Preview]:
    previews = []
    for caption, name in PREVIEW_NAMES:
        job = rendering.sample_job(
            settings_of(request), svg, "png", {"recipient.name": name} if name else None
        )
        rendered = await rendering.render_cached(
            session, render_pool(request), job, design_id="designer"
        )
        encoded = base64.b64encode(rendered.content).decode()
        previews.append(Preview(caption, f"data:image/png;base64,{encoded}"))
    return previews


async def _designer_page(
    request: Request,
    session: DbSession,
    staff: Staff,
    fields: dict[str, str],
    *,
    choices: DesignerChoices | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    previews: list[Preview] = []
    if choices is not None and not errors:
        svg = build_svg(choices)
        try:
            await designs.check_design(svg, choices.design_type)
            previews = await _previews(request, session, svg)
        except ValidationFailed as error:
            errors, status = {error.param or "svg": error.message}, 400
    context = {
        "staff": staff,
        "active": "designs",
        "Role": Role,
        "fields": DESIGNER_DEFAULTS | fields,
        "logo": choices.logo if choices else "",
        "errors": errors or {},
        "previews": previews,
        "layouts": LAYOUTS,
        "fonts": FONT_LABELS,
        "attributes": ATTRIBUTES,
        "slots": SLOTS,
    }
    return render("designer.html", context, status_code=status)


DESIGNER_DEFAULTS = {
    "name": "",
    "layout": "classic",
    "title": "Certificate of Achievement",
    "subtitle": "This certificate is presented to",
    "primary": "#1f4e79",
    "accent": "#c8962d",
    "font": "sans",
    **DEFAULT_SLOTS,
}


@router.get("/designer", name="webapp.designer")
async def designer_form(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """The designer: a design from a layout, a title, colours, a font, a logo and attributes."""
    staff.require(Role.manager)
    choices = DesignerChoices.parse(DESIGNER_DEFAULTS)
    return await _designer_page(request, session, staff, {}, choices=choices)


async def _uploaded_logo(request: Request) -> str:
    upload = (await request.form()).get("logo")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return ""
    return logo_data_uri(await upload.read(MAX_LOGO_BYTES + 1))


@router.post("/designer", name="webapp.designer_submit")
async def designer_submit(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """Preview the designer's choices, or save them as a new design of the organization."""
    staff.require(Role.manager)
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        choices = DesignerChoices.parse(fields, await _uploaded_logo(request))
    except ValidationFailed as error:
        errors = {error.param or "layout": error.message}
        return await _designer_page(request, session, staff, fields, errors=errors, status=400)
    if fields.get("action") != "save":
        return await _designer_page(request, session, staff, fields, choices=choices)
    try:
        data = _design_create(
            {"name": fields.get("name", ""), "type": choices.design_type}, build_svg(choices)
        )
        design = await designs.create_design(session, staff.principal, data)
    except ValidationFailed as error:
        errors = {error.param or "svg": error.message}
        return await _designer_page(
            request, session, staff, fields, choices=choices, errors=errors, status=400
        )
    service.record(session, staff, "design.built", f"{design.id} ({design.name})", at=utc_now())
    return RedirectResponse("/app/designs#your-designs", status_code=303)
