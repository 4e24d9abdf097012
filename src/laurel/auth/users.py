"""Who is calling the records API: a user, through a personal or OAuth token, with scopes.

A request is allowed only when the token's scope **and** the user's membership (and its role)
allow it: endpoints declare the scope in their signature (`records_api.RecordsRead`, ...) and
services ask the `Caller` for the membership they need.
"""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.repository import CallerRepository
from laurel.auth.scopes import api_scopes, parse_scopes
from laurel.kit.crypto import hash_token
from laurel.kit.errors import Forbidden, NotFound, Unauthorized
from laurel.models import Role

_ROLE_RANK = {Role.member: 0, Role.manager: 1, Role.admin: 2, Role.owner: 3}


@dataclass(frozen=True)
class MemberView:
    id: str
    organization_id: str
    role: Role
    is_primary: bool

    def at_least(self, role: Role) -> bool:
        return _ROLE_RANK[self.role] >= _ROLE_RANK[role]


@dataclass(frozen=True)
class Caller:
    user_id: str
    email: str
    display_name: str
    token_id: str
    scopes: frozenset[str]
    memberships: tuple[MemberView, ...]

    def member_of(self, organization_id: str) -> MemberView:
        """The caller's active membership; an organization they are not in does not exist."""
        for membership in self.memberships:
            if membership.organization_id == organization_id:
                return membership
        raise NotFound("The organization does not exist or you are not one of its members")

    def with_role(self, organization_id: str, role: Role) -> MemberView:
        membership = self.member_of(organization_id)
        if not membership.at_least(role):
            raise Forbidden(f"This needs the {role.value} role or higher in the organization")
        return membership

    def sees_everyone_in(self, organization_id: str) -> bool:
        """Managers and above see the organization's members and records; members their own."""
        return self.member_of(organization_id).at_least(Role.manager)

    @property
    def granted_api_scopes(self) -> list[str]:
        return api_scopes(self.scopes)


async def authenticate_user(session: AsyncSession, token: str | None) -> Caller:
    """The user a personal or OAuth access token belongs to; 401 for none, or not a usable one."""
    if token is None:
        raise Unauthorized()
    callers = CallerRepository(session)
    record = await callers.usable_user_token(hash_token(token))
    if record is None:
        raise Unauthorized()
    user = await callers.user(record.user_id)
    if user is None:
        raise Unauthorized()
    memberships = tuple(
        MemberView(m.id, m.organization_id, Role(m.role), m.is_primary)
        for m in await callers.active_memberships(user.id)
    )
    return Caller(
        user.id,
        user.email,
        user.display_name,
        record.id,
        frozenset(parse_scopes(record.scopes)),
        memberships,
    )
