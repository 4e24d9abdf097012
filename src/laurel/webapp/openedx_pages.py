"""Settings → Open edX: what an Open edX site needs to award badges through Laurel (its API base
URL, the organization's UUID, a key made for it) and the webhook URL template changes are pushed
to. Owners and admins; the rules are the openedx service's, as `laurel openedx` calls it."""

from fastapi import APIRouter, Request, Response

from laurel.db import DbSession
from laurel.kit.errors import ValidationFailed
from laurel.kit.ids import uuid_of
from laurel.kit.timestamps import utc_now
from laurel.links import PublicLinks
from laurel.models import Role
from laurel.openedx import service as openedx
from laurel.tokens import service as tokens
from laurel.webapp import service
from laurel.webapp.rendering import render
from laurel.webapp.routing import SignedIn, WebAppRoute, form_fields, settings_of
from laurel.webapp.service import Staff
from laurel.webhooks.endpoints import outbound_resolver

router = APIRouter(prefix="/app/settings/openedx", route_class=WebAppRoute)

KEY_NAME = "Open edX"


async def _page(
    request: Request,
    session: DbSession,
    staff: Staff,
    *,
    key: str | None = None,
    error: str | None = None,
    entered: str | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    url = await openedx.webhook_url(session, staff.organization_id)
    context = {
        "staff": staff,
        "active": "openedx",
        "Role": Role,
        "organization_uuid": uuid_of(staff.organization_id),
        "api_base_url": f"{PublicLinks.of(settings_of(request)).base}/credly/v1/",
        "webhook_url": entered if entered is not None else url or "",
        "key": key,
        "error": error,
        "saved": saved,
    }
    return render("openedx.html", context, status_code=status)


@router.get("", name="webapp.openedx")
async def openedx_page(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """The organization's Open edX connection."""
    staff.require(Role.admin)
    return await _page(request, session, staff)


@router.post("/key", name="webapp.openedx_key")
async def make_key(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """An API token for Open edX, shown on this one page only (revoked under API tokens)."""
    staff.require(Role.admin)
    await form_fields(request)
    created = await tokens.create_token(session, staff.organization_id, KEY_NAME)
    service.record(
        session, staff, "token.created", f"{created.record.id} ({KEY_NAME})", at=utc_now()
    )
    return await _page(request, session, staff, key=created.secret, status=201)


@router.post("/webhook", name="webapp.openedx_webhook")
async def save_webhook(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """Save (or, empty, remove) the Open edX webhook URL template changes are pushed to."""
    staff.require(Role.admin)
    url = str((await form_fields(request)).get("webhook_url") or "").strip()
    settings = settings_of(request)
    try:
        await openedx.set_webhook_url(
            session,
            staff.organization_id,
            url or None,
            allow_private=settings.webhooks_allow_private_addresses,
            resolver=outbound_resolver(request),
        )
    except ValidationFailed as failed:
        return await _page(request, session, staff, error=failed.message, entered=url, status=400)
    service.record(session, staff, "openedx.webhook_set", url or "(removed)", at=utc_now())
    return await _page(request, session, staff, saved=True)
