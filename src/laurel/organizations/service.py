"""Organizations (tenants). Managed from the CLI for now."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.errors import NotFound
from laurel.models import Organization, Plan
from laurel.organizations.repository import OrganizationRepository


async def create_organization(session: AsyncSession, name: str, plan: Plan) -> Organization:
    organization = Organization(name=name, plan=plan)
    OrganizationRepository(session).add(organization)
    await session.flush()
    return organization


async def list_organizations(session: AsyncSession) -> Sequence[Organization]:
    return await OrganizationRepository(session).list_all()


async def set_plan(session: AsyncSession, organization_id: str, plan: Plan) -> Organization:
    organization = await OrganizationRepository(session).get(organization_id)
    if organization is None:
        raise NotFound(f"No organization with id '{organization_id}'")
    organization.plan = plan
    await session.flush()
    return organization


async def has_any_organization(session: AsyncSession) -> bool:
    return await OrganizationRepository(session).count() > 0
