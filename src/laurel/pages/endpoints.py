"""The public pages: the recipient's wallet page, its downloads and share links, and the verify
page. No login; each visitor's action is recorded as a credential interaction.

`GET /credentials/{public_id}` is one route for people and machines: a browser (HTML preferred
over JSON) gets the page, anything else the signed credential, as before.
"""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from laurel.config import Settings
from laurel.credentials.interactions import ViewBuffer
from laurel.db import DbSession
from laurel.kit.errors import ErrorFormat, NotFound
from laurel.kit.svg_headers import headers_for
from laurel.pages import service
from laurel.pages.cache import CachedPage, PageCache
from laurel.pages.templating import prefers_html, render_page
from laurel.rendering.pool import render_pool

# In the API schema only the negotiated credential route (its JSON answer is part of the locked
# Certifier-version snapshot); the pages and their downloads are marked out one by one.
router = APIRouter(tags=["Public: verification"])
PAGE: dict[str, Any] = {"include_in_schema": False}
VARY = {"Vary": "Accept"}
MAX_UPLOAD_BYTES = 512 * 1024


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _not_found() -> Response:
    return render_page("not_found.html", {}, status_code=404)


def _or_a_page(entry: dict[str, Any]) -> dict[str, Any]:
    """An answer that a browser (HTML preferred) gets as a page instead."""
    return {**entry, "content": {**entry.get("content", {}), "text/html": {}}}


@router.get(
    "/credentials/{public_id}",
    name="public.credential",
    responses={
        200: _or_a_page({"content": {"application/json": {}}}),
        404: _or_a_page(ErrorFormat.envelope.openapi_response(NotFound)),
    },
)
async def public_credential(request: Request, session: DbSession, public_id: str) -> Response:
    """The signed credential by its public id, for anyone holding the link.

    Browsers (HTML preferred) get the recipient's page instead: the credential, its live
    verification, downloads and share links.
    """
    if prefers_html(request.headers.get("accept", "")):
        return await _wallet_page(request, session, public_id)
    # Signed now if the worker has not yet: the link works from the moment it is handed out.
    signed = await service.signed_document(session, _settings(request), public_id)
    if signed is None:
        raise NotFound(headers=VARY)
    return JSONResponse(signed, headers={"Cache-Control": "no-cache", **VARY})


async def _wallet_page(request: Request, session: DbSession, public_id: str) -> Response:
    """The page from this process's cache when it was rendered lately; every view is counted."""
    cache: PageCache = request.app.state.page_cache
    cached = cache.get(public_id)
    if cached is None:
        page = await service.wallet_page(session, _settings(request), public_id)
        if page is None:
            return render_page("not_found.html", {}, status_code=404, headers=VARY)
        response = render_page("credential.html", {"page": page}, headers=VARY)
        credential = page.credential
        headers = dict(response.headers.items())
        cached = CachedPage(
            bytes(response.body), headers, credential.organization_id, credential.id
        )
        cache.put(public_id, cached)
    views: ViewBuffer = request.app.state.view_buffer
    views.add(cached.organization_id, cached.credential_id)
    return Response(cached.body, headers=cached.headers)


@router.get("/credentials/{public_id}/credential.json", name="public.credential_download", **PAGE)
async def download_credential(request: Request, session: DbSession, public_id: str) -> Response:
    """The signed credential as a file to keep; records `credential_downloaded`."""
    credential = await service.find_credential(session, _settings(request), public_id)
    if credential is None:
        return _not_found()
    await service.record(session, credential, "credential_downloaded")
    return JSONResponse(
        credential.signed,
        media_type="application/ld+json",
        headers=_attachment(f"credential-{public_id}.json"),
    )


@router.get("/credentials/{public_id}/badge.{image_format}", name="public.badge", **PAGE)
async def download_badge(
    request: Request, session: DbSession, public_id: str, image_format: str
) -> Response:
    """The badge with the signed credential baked in (PNG or SVG); records a download."""
    if image_format not in ("png", "svg"):
        return _not_found()
    settings = _settings(request)
    credential = await service.find_credential(session, settings, public_id)
    if credential is None:
        return _not_found()
    renderer = render_pool(request)
    content = await service.baked_badge(session, settings, renderer, credential, image_format)
    await service.record(session, credential, "credential_downloaded")
    media_type = "image/png" if image_format == "png" else "image/svg+xml"
    headers = _attachment(f"badge-{public_id}.{image_format}") | headers_for(media_type)
    return Response(content, media_type=media_type, headers=headers)


@router.get("/credentials/{public_id}/share/linkedin", name="public.share_linkedin", **PAGE)
async def share_on_linkedin(request: Request, session: DbSession, public_id: str) -> Response:
    """To LinkedIn's "add to profile" form, filled in; records the share."""
    settings = _settings(request)
    credential = await service.find_credential(session, settings, public_id)
    if credential is None:
        return _not_found()
    if credential.status == "revoked":
        return RedirectResponse(f"/credentials/{public_id}", status_code=303)
    await service.record(session, credential, "credential_added_to_linkedin_profile")
    return RedirectResponse(service.linkedin_url(settings, credential), status_code=302)


@router.post("/credentials/{public_id}/share/link-copied", name="public.link_copied", **PAGE)
async def link_copied(request: Request, session: DbSession, public_id: str) -> Response:
    """The page's Copy button reports here (a beacon); records `credential_link_copied`."""
    credential = await service.find_credential(session, _settings(request), public_id)
    if credential is None:
        return Response(status_code=404)
    await service.record(session, credential, "credential_link_copied")
    return Response(status_code=204)


@router.get("/verify", name="public.verify_page", **PAGE)
async def verify_page() -> Response:
    """A form to verify any Open Badges 3.0 credential: a file, a baked badge, or pasted JSON."""
    return render_page("verify.html", {"result": None, "error": None, "pasted": ""})


@router.post("/verify", name="public.verify_form", **PAGE)
async def verify_form(request: Request, session: DbSession) -> Response:
    """Each check of the credential sent through the form, or why it could not be read."""
    pasted = ""
    try:
        content, content_type, pasted = await _read_form(request)
        result = await service.verify_upload(session, _settings(request), content, content_type)
    except service.UnreadableCredential as error:
        context = {"result": None, "error": str(error), "pasted": pasted}
        return render_page("verify.html", context, status_code=400)
    return render_page("verify.html", {"result": result, "error": None, "pasted": ""})


async def _read_form(request: Request) -> tuple[bytes, str, str]:
    """The uploaded file (or else the pasted JSON), its content type, and the pasted text."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        raise service.UnreadableCredential("Send the form: a credential file or pasted JSON.")
    try:
        form = await request.form(max_files=1, max_fields=4, max_part_size=MAX_UPLOAD_BYTES)
    except HTTPException as error:
        raise service.UnreadableCredential(f"The form could not be read: {error.detail}") from None
    pasted = form.get("json")
    text = pasted if isinstance(pasted, str) else ""
    upload = form.get("credential")
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            raise service.UnreadableCredential("The file is larger than a credential can be.")
        if content.strip():
            return content, upload.content_type or "", text
    return text.encode(), "application/json", text


def _attachment(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-cache",
    }
