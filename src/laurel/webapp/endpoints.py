"""The web app's pages: sign-in and out, the home page, the organization switcher, the audit log.

Thin: parse the form, call a service, render or redirect. Credentials and settings pages are in
their own modules; `router` mounts them all under /app.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from laurel.credentials.service import today
from laurel.db import DbSession
from laurel.kit.errors import NotFound
from laurel.kit.ratelimit import RateLimiter
from laurel.kit.timestamps import utc_now
from laurel.models import Role
from laurel.users.sign_in import authenticate
from laurel.webapp import (
    account_pages,
    credential_pages,
    design_pages,
    email_template_pages,
    import_pages,
    member_pages,
    oauth_app_pages,
    openedx_pages,
    organization_pages,
    records_pages,
    records_setup_pages,
    service,
    settings_pages,
    template_pages,
    webhook_pages,
)
from laurel.webapp.csrf import (
    SIGN_IN_COOKIE,
    check_form_token,
    new_sign_in_token,
    set_sign_in_cookie,
    sign_in_token_of,
)
from laurel.webapp.rendering import render, stylesheet
from laurel.webapp.routing import (
    SignedIn,
    WebAppRoute,
    client_ip,
    error_page,
    form_fields,
    settings_of,
)
from laurel.webapp.schemas import safe_next
from laurel.webapp.service import Staff
from laurel.webapp.sessions import (
    SESSION_COOKIE,
    Timeouts,
    clear_session_cookie,
    end_every_session,
    end_session,
    find_session,
    served_over_https,
    set_session_cookie,
    start_session,
)

pages = APIRouter(prefix="/app", route_class=WebAppRoute)


def page(staff: Staff, template: str, active: str, **context: Any) -> Response:
    """A page of the signed-in app: the layout needs the person, their organizations and the
    session's CSRF token for its forms."""
    return render(template, {"staff": staff, "active": active, "Role": Role, **context})


@pages.get("/static/app.css", name="webapp.stylesheet")
async def app_stylesheet() -> Response:
    return Response(
        stylesheet(), media_type="text/css", headers={"Cache-Control": "public, max-age=300"}
    )


@pages.get("/sign-in", name="webapp.sign_in")
async def sign_in_page(
    request: Request,
    session: DbSession,
    next_: Annotated[str, Query(alias="next", max_length=2000)] = "",
    reset: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    """The sign-in form; someone signed in already goes straight on."""
    target = safe_next(next_)
    secret = request.cookies.get(SESSION_COOKIE)
    if await find_session(session, secret, Timeouts.of(settings_of(request)), utc_now()):
        return RedirectResponse(target, status_code=303)
    return _sign_in_form(request, target, reset_done=reset == "done")


def _sign_in_form(
    request: Request,
    target: str,
    *,
    email: str = "",
    message: str = "",
    status: int = 200,
    reset_done: bool = False,
) -> Response:
    token = new_sign_in_token()
    context = {
        "next": target,
        "email": email,
        "message": message,
        "csrf_token": token,
        "reset_done": reset_done,
    }
    response = render("sign_in.html", context, status_code=status)
    set_sign_in_cookie(response, token, secure=served_over_https(request))
    return response


@pages.post("/sign-in", name="webapp.sign_in_submit")
async def sign_in(request: Request, session: DbSession) -> Response:
    """Check the email and password, start a new session, and go where the person was going."""
    form = await form_fields(request)
    check_form_token(await request.form(), sign_in_token_of(request))
    target = safe_next(form.get("next"))
    email = form.get("email", "").strip().lower()
    limiter: RateLimiter = request.app.state.sign_in_limiter
    for key in (f"app-sign-in:address:{client_ip(request)}", f"app-sign-in:email:{email}"):
        decision = await limiter.hit(key)
        if not decision.allowed:
            message = "Too many sign-in attempts. Wait a minute, then try again."
            return error_page(429, message, decision.headers())
    user = await authenticate(session, email, form.get("password", ""))
    if user is None:
        return _sign_in_form(
            request,
            target,
            email=email,
            message="The email or password is not right.",
            status=400,
        )
    now = utc_now()
    timeouts = Timeouts.of(settings_of(request))
    organization_id = await service.first_organization_of(session, user.id)
    started = await start_session(
        session, user.id, organization_id, timeouts, now, request.cookies.get(SESSION_COOKIE)
    )
    if organization_id is not None:
        service.record_for_user(
            session, user, organization_id, "signed_in", ip=client_ip(request), at=now
        )
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, started.secret, timeouts)
    response.delete_cookie(SIGN_IN_COOKIE, path="/app")
    return response


@pages.post("/sign-out", name="webapp.sign_out")
async def sign_out(request: Request, session: DbSession, staff: SignedIn) -> Response:
    await end_session(session, staff.web_session, utc_now())
    response = RedirectResponse("/app/sign-in", status_code=303)
    clear_session_cookie(response, request)
    return response


@pages.post("/sign-out-everywhere", name="webapp.sign_out_everywhere")
async def sign_out_everywhere(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """End every session of this user, in every browser, this one included."""
    now = utc_now()
    ended = await end_every_session(session, staff.user.id, now)
    service.record(session, staff, "signed_out_everywhere", f"{ended} sessions", at=now)
    response = RedirectResponse("/app/sign-in", status_code=303)
    clear_session_cookie(response, request)
    return response


@pages.post("/organization", name="webapp.switch_organization")
async def switch_organization(request: Request, staff: SignedIn) -> Response:
    """Work in another of the user's organizations; another organization's id is a 404."""
    form = await form_fields(request)
    service.choose_organization(staff, form.get("organization_id", ""))
    return RedirectResponse("/app", status_code=303)


@pages.get("", name="webapp.home")
async def home(session: DbSession, staff: SignedIn) -> Response:
    """Credentials issued, viewed, downloaded, added to LinkedIn and verified per week over the
    last year, and certifications expiring soon."""
    board = await service.dashboard(session, staff, today())
    return page(staff, "home.html", "home", board=board)


@pages.get("/audit", name="webapp.audit")
async def audit_log(
    session: DbSession, staff: SignedIn, before: Annotated[str, Query(max_length=26)] = ""
) -> Response:
    """Who did what, when and from where: owners and admins only."""
    events, next_before = await service.audit_page(session, staff, before or None)
    return page(staff, "audit.html", "audit", events=events, next_before=next_before)


router = APIRouter(route_class=WebAppRoute)
router.include_router(pages)
# Before the credential pages, whose /{credential_id} would take /import.
router.include_router(import_pages.router)
router.include_router(credential_pages.router)
router.include_router(settings_pages.router)
router.include_router(openedx_pages.router)
router.include_router(template_pages.router)
router.include_router(email_template_pages.router)
router.include_router(account_pages.router)
router.include_router(records_pages.router)
router.include_router(records_setup_pages.router)
router.include_router(design_pages.router)
router.include_router(webhook_pages.router)
router.include_router(member_pages.router)
router.include_router(oauth_app_pages.router)
router.include_router(organization_pages.router)


@router.get("/app/{unknown:path}", name="webapp.not_found")
async def not_found(unknown: str) -> Response:
    raise NotFound("There is no page at this address")
