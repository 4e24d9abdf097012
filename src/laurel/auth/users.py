"""Who is calling the records API: a user, through a personal or OAuth token, with scopes.

A request is allowed only when the token's scope **and** the user's membership (and its role)
allow it: endpoints declare the scope in their signature (`RecordsRead`, ...) and ask the
`Caller` for the membership they need.
"""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.dependencies import bearer_token, enforce_rate_limit
from laurel.auth.scopes import Scope, api_scopes, parse_scopes
from laurel.config import Settings
from laurel.db import DbSession
from laurel.kit.crypto import hash_token
from laurel.kit.errors import Forbidden, InsufficientScope, NotFound, Unauthorized
from laurel.members.repository import MemberRepository
from laurel.models import Role
from laurel.users.repository import UserRepository, UserTokenRepository

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


@dataclass(frozen=True)
class RecordsRequest:
    caller: Caller
    session: AsyncSession
    settings: Settings


async def _authenticate(session: AsyncSession, token: str | None) -> Caller:
    if token is None:
        raise Unauthorized()
    record = await UserTokenRepository(session).get_usable_by_hash(hash_token(token))
    if record is None:
        raise Unauthorized()
    user = await UserRepository(session).get(record.user_id)
    if user is None:
        raise Unauthorized()
    memberships = tuple(
        MemberView(m.id, m.organization_id, Role(m.role), m.is_primary)
        for m in await MemberRepository(session).active_for_user(user.id)
    )
    return Caller(
        user.id,
        user.email,
        user.display_name,
        record.id,
        frozenset(parse_scopes(record.scopes)),
        memberships,
    )


def _guard(scope: Scope | None) -> Callable[..., Coroutine[Any, Any, RecordsRequest]]:
    async def guard_records_request(request: Request, session: DbSession) -> RecordsRequest:
        caller = await _authenticate(session, bearer_token(request))
        await enforce_rate_limit(request, caller.token_id)
        if scope is not None and scope.value not in caller.scopes:
            raise InsufficientScope(f"This request needs the '{scope.value}' scope")
        return RecordsRequest(caller, session, request.app.state.settings)

    guard_records_request.__name__ = f"guard_{scope.name if scope else 'identity'}"
    return guard_records_request


def _requires(scope: Scope | None) -> Any:
    return Depends(_guard(scope))


# Each records endpoint takes one of these; the scope it needs is in its signature.
Identity = Annotated[RecordsRequest, _requires(None)]
RecordsRead = Annotated[RecordsRequest, _requires(Scope.certification_records_read)]
RecordsWrite = Annotated[RecordsRequest, _requires(Scope.certification_records_write)]
TypesRead = Annotated[RecordsRequest, _requires(Scope.certification_types_read)]
TypesWrite = Annotated[RecordsRequest, _requires(Scope.certification_types_write)]
JobRolesRead = Annotated[RecordsRequest, _requires(Scope.job_roles_read)]
JobRolesWrite = Annotated[RecordsRequest, _requires(Scope.job_roles_write)]
MembersRead = Annotated[RecordsRequest, _requires(Scope.organization_members_read)]
MembersWrite = Annotated[RecordsRequest, _requires(Scope.organization_members_write)]
OrganizationsRead = Annotated[RecordsRequest, _requires(Scope.organizations_read)]
OrganizationsWrite = Annotated[RecordsRequest, _requires(Scope.organizations_write)]
QualificationsRead = Annotated[RecordsRequest, _requires(Scope.qualifications_read)]
QualificationsWrite = Annotated[RecordsRequest, _requires(Scope.qualifications_write)]
