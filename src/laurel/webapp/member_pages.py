"""Settings → members: change a member's role, or remove them. The members service's rules
hold as the records API applies them: admins manage members, only an owner grants or changes
the owner role, and the last active owner stays (409, shown on the members page)."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from laurel.auth.users import Caller, MemberView
from laurel.db import DbSession
from laurel.kit.errors import Conflict, NotFound, ValidationFailed
from laurel.kit.timestamps import utc_now
from laurel.members import service as members
from laurel.members.repository import MemberRepository
from laurel.members.schemas import MemberUpdate
from laurel.models import Role
from laurel.webapp import service
from laurel.webapp.account_pages import members_page
from laurel.webapp.routing import SignedIn, WebAppRoute, form_fields
from laurel.webapp.service import Staff

router = APIRouter(prefix="/app/settings/members", route_class=WebAppRoute)


async def _caller(session: DbSession, staff: Staff) -> Caller:
    """The signed-in person as the members service knows its callers: their membership here."""
    membership = await MemberRepository(session).get_for_user(staff.organization_id, staff.user.id)
    if membership is None:
        raise NotFound()
    view = MemberView(membership.id, membership.organization_id, staff.role, membership.is_primary)
    return Caller(
        staff.user.id, staff.user.email, staff.user.display_name, "", frozenset(), (view,)
    )


@router.post("/{member_id}/role", name="webapp.member_role")
async def change_role(
    request: Request, session: DbSession, staff: SignedIn, member_id: str
) -> Response:
    """Give a member another role."""
    staff.require(Role.admin)
    role = (await form_fields(request)).get("role", "")
    if role not in Role.__members__:
        raise ValidationFailed(f"role: one of {', '.join(Role.__members__)}", param="role")
    caller = await _caller(session, staff)
    try:
        changed = await members.update_member(
            session, caller, staff.organization_id, member_id, MemberUpdate(role=Role(role))
        )
    except Conflict as refused:
        return await members_page(session, staff, message=refused.message, status=409)
    target = f"{member_id} ({changed['user'].email}) -> {role}"
    service.record(session, staff, "member.role_changed", target, at=utc_now())
    return RedirectResponse("/app/settings/members", status_code=303)


@router.post("/{member_id}/remove", name="webapp.member_remove")
async def remove_member(session: DbSession, staff: SignedIn, member_id: str) -> Response:
    """Remove a member from the organization; their records stay, as history."""
    staff.require(Role.admin)
    caller = await _caller(session, staff)
    try:
        await members.remove_member(session, caller, staff.organization_id, member_id)
    except Conflict as refused:
        return await members_page(session, staff, message=refused.message, status=409)
    service.record(session, staff, "member.removed", member_id, at=utc_now())
    return RedirectResponse("/app/settings/members", status_code=303)
