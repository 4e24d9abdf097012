"""Settings → OAuth apps: register one (a confidential app's secret shown once), list, revoke.
Owners and admins; the rules are oauth/apps.py's, as `laurel oauth apps` applies them."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from laurel.db import DbSession
from laurel.kit.errors import ValidationFailed
from laurel.kit.timestamps import utc_now
from laurel.models import Role
from laurel.oauth import apps
from laurel.webapp import service
from laurel.webapp.rendering import render
from laurel.webapp.routing import SignedIn, WebAppRoute
from laurel.webapp.service import Staff

router = APIRouter(prefix="/app/settings/oauth-apps", route_class=WebAppRoute)


async def _apps_page(
    session: DbSession,
    staff: Staff,
    *,
    registered: apps.RegisteredApp | None = None,
    errors: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context = {
        "staff": staff,
        "active": "oauth_apps",
        "Role": Role,
        "apps": await apps.list_apps(session, staff.organization_id),
        "registered": registered,
        "errors": errors or {},
        "entered": entered or {"name": "", "redirect_uris": ""},
    }
    return render("oauth_apps.html", context, status_code=status)


@router.get("", name="webapp.oauth_apps")
async def app_list(session: DbSession, staff: SignedIn) -> Response:
    """The organization's OAuth apps."""
    staff.require(Role.admin)
    return await _apps_page(session, staff)


@router.post("", name="webapp.oauth_app_create")
async def register_app(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """Register an app with every API scope; its client secret, if any, is shown once."""
    staff.require(Role.admin)
    form = await request.form()
    name = str(form.get("name") or "")
    uris_text = str(form.get("redirect_uris") or "")
    entered = {"name": name, "redirect_uris": uris_text}
    try:
        registered = await apps.register_app(
            session,
            staff.organization_id,
            name,
            uris_text.split(),
            [],
            confidential=form.get("confidential") == "yes",
        )
    except ValidationFailed as error:
        field = "redirect_uris" if error.param == "redirect_uri" else (error.param or "name")
        errors = {field: error.message}
        return await _apps_page(session, staff, errors=errors, entered=entered, status=400)
    target = f"{registered.app.client_id} ({registered.app.name})"
    service.record(session, staff, "oauth_app.created", target, at=utc_now())
    return await _apps_page(session, staff, registered=registered, status=201)


@router.post("/{client_id}/revoke", name="webapp.oauth_app_revoke")
async def revoke_app(session: DbSession, staff: SignedIn, client_id: str) -> Response:
    """Revoke an app and every token issued to it."""
    staff.require(Role.admin)
    await apps.revoke_app(session, staff.organization_id, client_id)
    service.record(session, staff, "oauth_app.revoked", client_id, at=utc_now())
    return RedirectResponse("/app/settings/oauth-apps", status_code=303)
