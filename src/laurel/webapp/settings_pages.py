"""Settings → API tokens: create (the secret is shown once), list with their last use, revoke.
Owners and admins."""

from datetime import datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from laurel.db import DbSession
from laurel.kit.errors import NotFound
from laurel.kit.timestamps import utc_now
from laurel.models import Role
from laurel.tokens import service as tokens
from laurel.webapp import service
from laurel.webapp.rendering import render
from laurel.webapp.repository import TokenReads
from laurel.webapp.routing import SignedIn, WebAppRoute, form_fields
from laurel.webapp.schemas import token_name
from laurel.webapp.service import Staff

router = APIRouter(prefix="/app/settings", route_class=WebAppRoute)

_UNITS = ((86_400, "day"), (3_600, "hour"), (60, "minute"))


def time_ago(moment: datetime, now: datetime) -> str:
    """ "just now", "5 minutes ago", "2 days ago": how long ago a token was last used (its
    stored time is kept to the minute, tokens.usage)."""
    seconds = (now - moment).total_seconds()
    for size, unit in _UNITS:
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"


async def _tokens_page(
    session: DbSession, staff: Staff, *, created_secret: str | None = None, status: int = 200
) -> Response:
    listed = await tokens.list_tokens(session, staff.organization_id)
    now = utc_now()
    context = {
        "ago": lambda moment: time_ago(moment, now),
        "staff": staff,
        "active": "tokens",
        "Role": Role,
        "tokens": listed,
        "created_secret": created_secret,
    }
    return render("tokens.html", context, status_code=status)


@router.get("/tokens", name="webapp.tokens")
async def token_list(session: DbSession, staff: SignedIn) -> Response:
    """The organization's API access tokens."""
    staff.require(Role.admin)
    return await _tokens_page(session, staff)


@router.post("/tokens", name="webapp.token_create")
async def create_token(request: Request, session: DbSession, staff: SignedIn) -> Response:
    """A new API token; its secret is on this one page only, never stored or shown again."""
    staff.require(Role.admin)
    name = token_name(await form_fields(request))
    created = await tokens.create_token(session, staff.organization_id, name)
    service.record(session, staff, "token.created", f"{created.record.id} ({name})", at=utc_now())
    return await _tokens_page(session, staff, created_secret=created.secret, status=201)


@router.post("/tokens/{token_id}/revoke", name="webapp.token_revoke")
async def revoke_token(
    request: Request, session: DbSession, staff: SignedIn, token_id: str
) -> Response:
    """Revoke a token: the API refuses it from then on (within LAUREL_AUTH_CACHE_SECONDS)."""
    staff.require(Role.admin)
    if not await TokenReads(session).belongs_to(staff.organization_id, token_id):
        raise NotFound("No token of this organization has that id")
    await tokens.revoke_token(session, token_id)
    service.record(session, staff, "token.revoked", token_id, at=utc_now())
    return RedirectResponse("/app/settings/tokens", status_code=303)
