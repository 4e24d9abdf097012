"""Organizations (tenants). Created from the CLI; renamed from the web app's settings."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.errors import NotFound, ValidationFailed
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


NAME_MAX_LENGTH = 255


async def rename_organization(
    session: AsyncSession, organization_id: str, name: str
) -> Organization:
    """A new name (1-255 characters once trimmed; 400 naming `name` otherwise), shown in new
    credentials as their issuer's name and in emails."""
    name = name.strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed(
            f"name: must be 1 to {NAME_MAX_LENGTH} characters long", param="name"
        )
    organization = await OrganizationRepository(session).get(organization_id)
    if organization is None:
        raise NotFound(f"No organization with id '{organization_id}'")
    organization.name = name
    await session.flush()
    return organization


async def has_any_organization(session: AsyncSession) -> bool:
    return await OrganizationRepository(session).count() > 0
