"""Certification types: an organization's own, and the standard ones every organization shares."""

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.users import Caller
from laurel.certifications.repository import CertificationTypeRepository
from laurel.certifications.schemas import CertificationTypeCreate, CertificationTypeUpdate
from laurel.kit.errors import Conflict, Forbidden, ValidationFailed, found
from laurel.kit.pagination import PageParams, PageResult
from laurel.kit.timestamps import utc_now
from laurel.models import CertificationType, Role, TypeScope


async def list_types(
    session: AsyncSession, caller: Caller, organization_id: str, page: PageParams
) -> PageResult[CertificationType]:
    caller.member_of(organization_id)
    return await CertificationTypeRepository(session).list_page(organization_id, page)


async def get_type(
    session: AsyncSession, caller: Caller, organization_id: str, type_id: str
) -> CertificationType:
    caller.member_of(organization_id)
    return found(await CertificationTypeRepository(session).get_visible(organization_id, type_id))


async def create_type(
    session: AsyncSession, caller: Caller, organization_id: str, body: CertificationTypeCreate
) -> CertificationType:
    """An organization's own type (admins); standard types are the operator's, from the CLI."""
    caller.with_role(organization_id, Role.admin)
    if body.scope == TypeScope.standard:
        raise Forbidden(
            "scope: standard types are shared by every organization and are created by the "
            "operator (`laurel certification-types create-standard`)",
            param="scope",
        )
    return await add_type(session, organization_id, body)


async def add_type(
    session: AsyncSession, organization_id: str | None, body: CertificationTypeCreate
) -> CertificationType:
    repository = CertificationTypeRepository(session)
    if await repository.slug_taken(organization_id, body.slug):
        raise Conflict(f"slug: a certification type '{body.slug}' exists already", param="slug")
    certification_type = CertificationType(
        organization_id=organization_id,
        slug=body.slug,
        title=body.title,
        description=body.description,
        scope=TypeScope.standard if organization_id is None else TypeScope.organization,
        status=body.status,
    )
    repository.add(certification_type)
    await session.flush()
    return certification_type


async def update_type(
    session: AsyncSession,
    caller: Caller,
    organization_id: str,
    type_id: str,
    body: CertificationTypeUpdate,
) -> CertificationType:
    caller.with_role(organization_id, Role.admin)
    certification_type = await get_type(session, caller, organization_id, type_id)
    if certification_type.organization_id is None:
        raise Forbidden("Standard certification types are changed by the operator only")
    for name in body.model_fields_set:
        value = getattr(body, name)
        if value is None and name != "description":
            raise ValidationFailed(f"{name}: must not be null", param=name)
        setattr(certification_type, name, value)
    certification_type.updated_at = utc_now()
    return certification_type
