from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.pagination import PageParams, PageResult, paginate
from laurel.models import Membership, MembershipStatus, Organization, Role, User


class MemberRepository:
    """Memberships (an organization's members): every look-up of one is here."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, member_id: str, *, organization_id: str | None = None) -> Membership | None:
        """A membership by id; None when it is not of `organization_id` (when that is given)."""
        # session.get answers from the identity map when the request has read it already.
        membership = await self.session.get(Membership, member_id)
        if membership is None or organization_id not in (None, membership.organization_id):
            return None
        return membership

    async def get_for_user(self, organization_id: str, user_id: str) -> Membership | None:
        return await self.session.scalar(
            select(Membership).where(
                Membership.organization_id == organization_id, Membership.user_id == user_id
            )
        )

    def add(self, membership: Membership) -> None:
        self.session.add(membership)

    def _members(self, organization_id: str) -> Select[Membership, User]:
        return (
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organization_id == organization_id)
        )

    async def list_page(
        self, organization_id: str, params: PageParams, *, only_member_id: str | None = None
    ) -> PageResult[tuple[Membership, User]]:
        statement = self._members(organization_id)
        if only_member_id is not None:
            statement = statement.where(Membership.id == only_member_id)
        return await paginate(self.session, statement, Membership.id, params)

    async def get_with_user(
        self, organization_id: str, member_id: str
    ) -> tuple[Membership, User] | None:
        row = (
            await self.session.execute(
                self._members(organization_id).where(Membership.id == member_id)
            )
        ).first()
        if row is None:
            return None
        first, second = row
        return first, second

    async def active_ids_page(
        self, organization_id: str, params: PageParams, *, only_member_id: str | None = None
    ) -> PageResult[str]:
        # Two columns, so that the page holds rows (a single column would page bare values).
        statement = select(Membership.id, Membership.user_id).where(
            Membership.organization_id == organization_id,
            Membership.status == MembershipStatus.active,
        )
        if only_member_id is not None:
            statement = statement.where(Membership.id == only_member_id)
        result = await paginate(self.session, statement, Membership.id, params)
        return PageResult([row.id for row in result.rows], result.prev, result.next)

    async def names_by_id(
        self, organization_id: str, member_ids: Sequence[str]
    ) -> dict[str, tuple[str, str]]:
        """member id -> (display name, email), for the members of this organization named."""
        if not member_ids:
            return {}
        statement = (
            select(Membership.id, User.display_name, User.email)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organization_id == organization_id, Membership.id.in_(member_ids))
        )
        rows = await self.session.execute(statement)
        return {row.id: (row.display_name, row.email) for row in rows}

    async def lock_active_owners(self, organization_id: str) -> Sequence[str]:
        """The active owners' membership ids, locked until the transaction ends (PostgreSQL)."""
        statement = select(Membership.id).where(
            Membership.organization_id == organization_id,
            Membership.role == Role.owner,
            Membership.status == MembershipStatus.active,
        )
        return (await self.session.scalars(statement.with_for_update())).all()

    async def active_member_ids(self, organization_id: str) -> Sequence[str]:
        statement = select(Membership.id).where(
            Membership.organization_id == organization_id,
            Membership.status == MembershipStatus.active,
        )
        return (await self.session.scalars(statement.order_by(Membership.id))).all()


class OrganizationListRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_page(
        self, organization_ids: Sequence[str], params: PageParams
    ) -> PageResult[Organization]:
        statement = select(Organization).where(Organization.id.in_(organization_ids))
        return await paginate(self.session, statement, Organization.id, params)

    async def list_by_ids(self, organization_ids: Sequence[str]) -> Sequence[Organization]:
        statement = select(Organization).where(Organization.id.in_(organization_ids))
        return (await self.session.scalars(statement.order_by(Organization.id))).all()
