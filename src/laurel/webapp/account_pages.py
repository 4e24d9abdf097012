"""Members and invitations (owners and admins invite), the invitation link, and password reset.

The links' pages come before any session, so their forms use the sign-in form's double-submit
CSRF token (csrf.py)."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from laurel.db import DbSession
from laurel.kit.errors import ValidationFailed
from laurel.kit.ratelimit import RateLimiter
from laurel.kit.timestamps import utc_now
from laurel.models import Role
from laurel.webapp import accounts, service
from laurel.webapp.csrf import (
    SIGN_IN_COOKIE,
    check_form_token,
    new_sign_in_token,
    set_sign_in_cookie,
    sign_in_token_of,
)
from laurel.webapp.rendering import render
from laurel.webapp.routing import (
    SignedIn,
    WebAppRoute,
    client_ip,
    error_page,
    form_fields,
    settings_of,
)
from laurel.webapp.service import ROLE_RANK, Staff
from laurel.webapp.sessions import (
    SESSION_COOKIE,
    Timeouts,
    end_every_session,
    served_over_https,
    set_session_cookie,
    start_session,
)

router = APIRouter(prefix="/app", route_class=WebAppRoute)


async def members_page(
    session: DbSession, staff: Staff, *, message: str = "", status: int = 200
) -> Response:
    members, pending = await accounts.members_and_invitations(session, staff, utc_now())
    roles = [role for role in Role if ROLE_RANK[role] <= ROLE_RANK[staff.role]]
    context = {
        "staff": staff,
        "active": "members",
        "Role": Role,
        "members": members,
        "pending": pending,
        "roles": roles,
        "message": message,
    }
    return render("members.html", context, status_code=status)


@router.get("/settings/members", name="webapp.members")
async def members(session: DbSession, staff: SignedIn) -> Response:
    """The organization's members and the invitations still open."""
    staff.require(Role.admin)
    return await members_page(session, staff)


@router.post("/settings/invitations", name="webapp.invite")
async def invite(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """Invite someone by email with a role; the link in the email works once and expires."""
    staff.require(Role.admin)
    form = await form_fields(request)
    now = utc_now()
    invitation = await accounts.invite(
        session, settings_of(request), staff, form.get("email", ""), form.get("role", ""), now
    )
    target = f"{invitation.email} as {invitation.role}"
    service.record(session, staff, "member.invited", target, at=now)
    return await members_page(session, staff, message=f"Invitation sent to {invitation.email}.")


def _public_form(
    request: Request, template: str, context: dict[str, object], status: int = 200
) -> Response:
    token = new_sign_in_token()
    response = render(template, {**context, "csrf_token": token}, status_code=status)
    set_sign_in_cookie(response, token, secure=served_over_https(request))
    return response


@router.get("/invitations/{secret}", name="webapp.invitation")
async def invitation_page(request: Request, session: DbSession, secret: str) -> Response:
    opened = await accounts.open_invitation(session, secret, utc_now())
    return _public_form(request, "invitation.html", {"opened": opened, "problem": ""})


@router.post("/invitations/{secret}", name="webapp.accept_invitation")
async def accept_invitation(request: Request, session: DbSession, secret: str) -> Response:
    """Join the organization, set a password if needed, and arrive signed in."""
    check_form_token(await request.form(), sign_in_token_of(request))
    form = await form_fields(request)
    now = utc_now()
    try:
        user, organization_id = await accounts.accept_invitation(session, secret, form, now)
    except ValidationFailed as error:
        opened = await accounts.open_invitation(session, secret, now)
        context = {"opened": opened, "problem": error.message}
        return _public_form(request, "invitation.html", context, status=400)
    timeouts = Timeouts.of(settings_of(request))
    started = await start_session(
        session, user.id, organization_id, timeouts, now, request.cookies.get(SESSION_COOKIE)
    )
    service.record_for_user(
        session, user, organization_id, "invitation.accepted", ip=client_ip(request), at=now
    )
    response = RedirectResponse("/app", status_code=303)
    set_session_cookie(response, request, started.secret, timeouts)
    response.delete_cookie(SIGN_IN_COOKIE, path="/app")
    return response


@router.get("/password-reset", name="webapp.password_reset")
async def password_reset_page(request: Request) -> Response:
    return _public_form(request, "password_reset.html", {"sent": False})


@router.post("/password-reset", name="webapp.request_password_reset")
async def request_password_reset(request: Request, session: DbSession) -> Response:
    """Email a reset link; the page says the same whether the address has an account or not."""
    check_form_token(await request.form(), sign_in_token_of(request))
    form = await form_fields(request)
    email = form.get("email", "").strip().lower()
    limiter: RateLimiter = request.app.state.sign_in_limiter
    for key in (f"app-reset:address:{client_ip(request)}", f"app-reset:email:{email}"):
        decision = await limiter.hit(key)
        if not decision.allowed:
            message = "Too many reset requests. Wait a minute, then try again."
            return error_page(429, message, decision.headers())
    await accounts.request_password_reset(session, settings_of(request), email, utc_now())
    return _public_form(request, "password_reset.html", {"sent": True})


@router.get("/password-reset/{secret}", name="webapp.new_password")
async def new_password_page(request: Request, session: DbSession, secret: str) -> Response:
    await accounts.open_reset(session, secret, utc_now())
    return _public_form(request, "new_password.html", {"problem": ""})


@router.post("/password-reset/{secret}", name="webapp.set_new_password")
async def set_new_password(request: Request, session: DbSession, secret: str) -> Response:
    """Set the new password; every session of the account ends, then sign in with it."""
    check_form_token(await request.form(), sign_in_token_of(request))
    form = await form_fields(request)
    now = utc_now()
    try:
        user_id = await accounts.complete_password_reset(session, secret, form, now)
    except ValidationFailed as error:
        return _public_form(request, "new_password.html", {"problem": error.message}, status=400)
    await end_every_session(session, user_id, now)
    response = RedirectResponse("/app/sign-in?reset=done", status_code=303)
    response.delete_cookie(SIGN_IN_COOKIE, path="/app")
    return response
