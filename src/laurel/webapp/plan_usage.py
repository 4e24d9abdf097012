"""The plan page's usage figures: one count each, over the organization's own rows."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.models import (
    AccessToken,
    Credential,
    CredentialState,
    Design,
    Group,
    Membership,
    MembershipStatus,
)


@dataclass(frozen=True)
class Usage:
    issued_this_month: int
    issued_in_all: int
    members: int
    templates: int
    designs: int
    api_tokens: int


class UsageReads:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _count(self, model: Any, *conditions: Any) -> int:
        statement = select(func.count()).select_from(model).where(*conditions)
        return int(await self.session.scalar(statement) or 0)

    async def usage(self, organization_id: str, month: tuple[date, date]) -> Usage:
        """`month`: its first day and the next month's first day."""
        issued = (
            Credential.organization_id == organization_id,
            Credential.state == CredentialState.issued,
        )
        return Usage(
            issued_this_month=await self._count(
                Credential,
                *issued,
                Credential.issue_date >= month[0],
                Credential.issue_date < month[1],
            ),
            issued_in_all=await self._count(Credential, *issued),
            members=await self._count(
                Membership,
                Membership.organization_id == organization_id,
                Membership.status == MembershipStatus.active,
            ),
            templates=await self._count(Group, Group.organization_id == organization_id),
            designs=await self._count(Design, Design.organization_id == organization_id),
            api_tokens=await self._count(
                AccessToken,
                AccessToken.organization_id == organization_id,
                AccessToken.revoked_at.is_(None),
            ),
        )
