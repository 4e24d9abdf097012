"""Organizations, their members, and `GET /v1/me`, as the records API shows them.

Records-side services are module functions taking `(session, caller, ...)`: the request's
session (they add and flush; the request's transaction commits), the `Caller` whose memberships
decide what is allowed, then the operation's own arguments. Configuration reaches them as a
small value (`Validity`), never as Settings. SQL lives in the repositories.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.users import Caller
from laurel.kit.errors import Conflict, Forbidden, NotFound, found
from laurel.kit.pagination import PageParams, PageResult
from laurel.kit.timestamps import utc_now
from laurel.members.repository import MemberRepository, OrganizationListRepository
from laurel.members.schemas import MemberCreate, MemberUpdate
from laurel.models import Membership, MembershipStatus, Organization, Role, User
from laurel.organizations.repository import OrganizationRepository
from laurel.users import service as users
from laurel.users.repository import UserRepository


def member_view(membership: Membership, user: User) -> dict[str, Any]:
    fields = ("id", "organization_id", "user_id", "role", "status", "is_primary")
    view = {name: getattr(membership, name) for name in fields}
    return {
        **view,
        "created_at": membership.created_at,
        "updated_at": membership.updated_at,
        "user": user,
    }


async def list_organizations(
    session: AsyncSession, caller: Caller, page: PageParams
) -> PageResult[Organization]:
    ids = [m.organization_id for m in caller.memberships]
    return await OrganizationListRepository(session).list_page(ids, page)


async def get_organization(
    session: AsyncSession, caller: Caller, organization_id: str
) -> Organization:
    caller.member_of(organization_id)
    return found(await OrganizationRepository(session).get(organization_id))


async def rename_organization(
    session: AsyncSession, caller: Caller, organization_id: str, name: str
) -> Organization:
    caller.with_role(organization_id, Role.admin)
    organization = found(await OrganizationRepository(session).get(organization_id))
    organization.name = name
    organization.updated_at = utc_now()
    return organization


async def list_members(
    session: AsyncSession, caller: Caller, organization_id: str, page: PageParams
) -> PageResult[dict[str, Any]]:
    own = caller.member_of(organization_id)
    only = None if caller.sees_everyone_in(organization_id) else own.id
    result = await MemberRepository(session).list_page(organization_id, page, only_member_id=only)
    return PageResult([member_view(m, u) for m, u in result.rows], result.prev, result.next)


async def get_member(
    session: AsyncSession, caller: Caller, organization_id: str, member_id: str
) -> dict[str, Any]:
    own = caller.member_of(organization_id)
    if member_id != own.id and not caller.sees_everyone_in(organization_id):
        raise NotFound()
    membership, user = found(
        await MemberRepository(session).get_with_user(organization_id, member_id)
    )
    return member_view(membership, user)


async def add_membership(
    session: AsyncSession,
    organization_id: str,
    user_id: str,
    role: Role,
    *,
    is_primary: bool = False,
) -> Membership:
    if await OrganizationRepository(session).get(organization_id) is None:
        raise NotFound(f"No organization with id '{organization_id}'")
    if await UserRepository(session).get(user_id) is None:
        raise NotFound(f"No user with id '{user_id}'")
    members = MemberRepository(session)
    if await members.get_for_user(organization_id, user_id) is not None:
        raise Conflict("The user is a member of that organization already")
    membership = Membership(
        organization_id=organization_id,
        user_id=user_id,
        role=role,
        status=MembershipStatus.active,
        is_primary=is_primary,
    )
    members.add(membership)
    await session.flush()
    return membership


async def add_member(
    session: AsyncSession, caller: Caller, organization_id: str, body: MemberCreate
) -> dict[str, Any]:
    """Add a person by email, creating their user when Laurel does not know them yet."""
    _may_grant(caller, organization_id, body.role)
    email = users.normalize_email(body.email)
    user = await UserRepository(session).get_by_email(email)
    if user is None:
        user = await users.create_user(session, email, body.display_name)
    membership = await add_membership(
        session, organization_id, user.id, body.role, is_primary=body.is_primary
    )
    return member_view(membership, user)


async def update_member(
    session: AsyncSession,
    caller: Caller,
    organization_id: str,
    member_id: str,
    body: MemberUpdate,
) -> dict[str, Any]:
    membership, user = found(
        await MemberRepository(session).get_with_user(organization_id, member_id)
    )
    _may_grant(caller, organization_id, Role(membership.role))
    if body.role is not None:
        _may_grant(caller, organization_id, body.role)
    stays_owner = (body.role or membership.role) == Role.owner
    stays_active = (body.status or membership.status) == MembershipStatus.active
    if not (stays_owner and stays_active):
        await _keep_an_owner(session, membership)
    if body.role is not None:
        membership.role = body.role
    if body.status is not None:
        membership.status = body.status
    if body.is_primary is not None:
        membership.is_primary = body.is_primary
    membership.updated_at = utc_now()
    return member_view(membership, user)


async def remove_member(
    session: AsyncSession, caller: Caller, organization_id: str, member_id: str
) -> None:
    """Deactivate a membership; the member's records stay, as history."""
    membership = found(
        await MemberRepository(session).get(member_id, organization_id=organization_id)
    )
    _may_grant(caller, organization_id, Role(membership.role))
    await _keep_an_owner(session, membership)
    membership.status = MembershipStatus.suspended
    membership.deactivated_at = membership.updated_at = utc_now()


async def _keep_an_owner(session: AsyncSession, leaving: Membership) -> None:
    """Refuse to demote, suspend or remove the organization's last active owner."""
    if leaving.role != Role.owner or leaving.status != MembershipStatus.active:
        return
    owners = await MemberRepository(session).lock_active_owners(leaving.organization_id)
    if set(owners) <= {leaving.id}:
        raise Conflict(
            "An organization keeps at least one active owner: make another member owner first"
        )


def _may_grant(caller: Caller, organization_id: str, role: Role) -> None:
    """Admins manage members; only an owner makes or unmakes owners."""
    caller.with_role(organization_id, Role.admin)
    if role == Role.owner and not caller.member_of(organization_id).at_least(Role.owner):
        raise Forbidden("Only an owner may grant or change the owner role")


async def describe_me(session: AsyncSession, caller: Caller) -> dict[str, Any]:
    # The caller was read with the token: no second read of the user.
    user = {"id": caller.user_id, "email": caller.email, "display_name": caller.display_name}
    organization_ids = [m.organization_id for m in caller.memberships]
    organizations = await OrganizationListRepository(session).list_by_ids(organization_ids)
    return {
        "user": user,
        "scopes": caller.granted_api_scopes,
        "organizations": organizations,
        "organization_memberships": [
            {
                "id": m.id,
                "organization_id": m.organization_id,
                "role": m.role,
                "is_primary": m.is_primary,
            }
            for m in caller.memberships
        ],
        "accessible_member_ids": await accessible_member_ids(session, caller),
    }


async def accessible_member_ids(session: AsyncSession, caller: Caller) -> list[str]:
    reachable: list[str] = []
    repository = MemberRepository(session)
    for membership in caller.memberships:
        if membership.at_least(Role.manager):
            reachable.extend(await repository.active_member_ids(membership.organization_id))
        else:
            reachable.append(membership.id)
    return reachable
