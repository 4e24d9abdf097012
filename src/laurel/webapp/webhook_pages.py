"""Settings → webhooks: subscribe a URL (its signing secret shown once), rotate the secret, see
each delivery's attempts and send one again. Owners and admins; every rule is the webhooks
service's, as the API calls it."""

from typing import Annotated, Any, get_args

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from laurel.db import DbSession
from laurel.kit.errors import ValidationFailed
from laurel.kit.pagination import Cursor, PageParams
from laurel.kit.timestamps import utc_now
from laurel.models import Role
from laurel.webapp import service
from laurel.webapp.rendering import render
from laurel.webapp.routing import SignedIn, WebAppRoute, settings_of
from laurel.webapp.service import Staff
from laurel.webhooks import service as webhooks
from laurel.webhooks.endpoints import outbound_resolver
from laurel.webhooks.schemas import EventType, WebhookCreate

router = APIRouter(prefix="/app/settings/webhooks", route_class=WebAppRoute)

EVENT_TYPES: tuple[str, ...] = get_args(EventType)
PAGE_SIZE = 50
CursorQuery = Annotated[str, Query(max_length=200)]


def _page(cursor: str) -> PageParams:
    return PageParams(limit=PAGE_SIZE, cursor=Cursor.decode(cursor) if cursor else None)


async def _webhooks_page(
    session: DbSession,
    staff: Staff,
    *,
    created: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    entered: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    listed = await webhooks.list_webhooks(session, staff.principal, _page(""))
    context = {
        "staff": staff,
        "active": "webhooks",
        "Role": Role,
        "webhooks": listed.rows,
        "created": created,
        "errors": errors or {},
        "entered": entered or {"url": "", "event_types": list(EVENT_TYPES)},
        "event_types": EVENT_TYPES,
    }
    return render("webhooks.html", context, status_code=status)


@router.get("", name="webapp.webhooks")
async def webhook_list(session: DbSession, staff: SignedIn) -> Response:
    """The organization's webhook endpoints."""
    staff.require(Role.admin)
    return await _webhooks_page(session, staff)


@router.post("", name="webapp.webhook_create")
async def create_webhook(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """Subscribe a URL; its signing secret is on this one page only."""
    staff.require(Role.admin)
    form = await request.form()
    url = str(form.get("url") or "").strip()
    chosen = [str(value) for value in form.getlist("event_types")]
    entered = {"url": url, "event_types": chosen}
    try:
        try:
            data = WebhookCreate.model_validate({"url": url, "eventTypes": chosen})
        except ValidationError as error:
            first = error.errors()[0]
            field = "url" if first["loc"] and first["loc"][0] == "url" else "event_types"
            what = "URL" if field == "url" else "Events"
            raise ValidationFailed(f"{what}: {first['msg']}", param=field) from None
        created = await webhooks.create_webhook(
            session, staff.principal, settings_of(request), data, outbound_resolver(request)
        )
    except ValidationFailed as error:
        errors = {error.param or "url": error.message}
        return await _webhooks_page(session, staff, errors=errors, entered=entered, status=400)
    service.record(session, staff, "webhook.created", f"{created['id']} ({url})", at=utc_now())
    return await _webhooks_page(session, staff, created=created, status=201)


@router.post("/{endpoint_id}/rotate", name="webapp.webhook_rotate")
async def rotate_secret(
    request: Request, session: DbSession, staff: SignedIn, endpoint_id: str
) -> Response:
    """A new signing secret, shown once; the old one stops signing at once."""
    staff.require(Role.admin)
    rotated = await webhooks.rotate_secret(
        session, staff.principal, settings_of(request), endpoint_id
    )
    service.record(session, staff, "webhook.secret_rotated", endpoint_id, at=utc_now())
    return await _deliveries_page(session, staff, endpoint_id, "", secret=rotated["secret"])


async def _deliveries_page(
    session: DbSession,
    staff: Staff,
    endpoint_id: str,
    cursor: str,
    *,
    secret: str | None = None,
    done: str = "",
) -> Response:
    endpoint = await webhooks.get_webhook(session, staff.principal, endpoint_id)
    deliveries = await webhooks.list_deliveries(
        session, staff.principal, endpoint_id, _page(cursor)
    )
    context = {
        "staff": staff,
        "active": "webhooks",
        "Role": Role,
        "endpoint": endpoint,
        "deliveries": deliveries.rows,
        "next_cursor": deliveries.next,
        "secret": secret,
        "done": done,
    }
    return render("webhook.html", context)


@router.get("/{endpoint_id}", name="webapp.webhook")
async def webhook_deliveries(
    session: DbSession, staff: SignedIn, endpoint_id: str, cursor: CursorQuery = "", done: str = ""
) -> Response:
    """One endpoint: its events, and every delivery with its attempts."""
    staff.require(Role.admin)
    return await _deliveries_page(session, staff, endpoint_id, cursor, done=done[:20])


@router.post("/{endpoint_id}/deliveries/{job_id}/redeliver", name="webapp.webhook_redeliver")
async def redeliver(session: DbSession, staff: SignedIn, endpoint_id: str, job_id: str) -> Response:
    """Send one delivery again, as soon as a worker is free."""
    staff.require(Role.admin)
    await webhooks.redeliver(session, staff.principal, endpoint_id, job_id, utc_now())
    service.record(session, staff, "webhook.redelivered", f"{endpoint_id} {job_id}", at=utc_now())
    return RedirectResponse(
        f"/app/settings/webhooks/{endpoint_id}?done=redelivered", status_code=303
    )
