"""Qualifications: the certification types they require and the job roles they apply to."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.users import Caller
from laurel.kit.errors import ValidationFailed, found
from laurel.kit.ids import id_of_uuid
from laurel.kit.pagination import PageParams, PageResult
from laurel.kit.timestamps import utc_now
from laurel.models import Qualification, Role
from laurel.qualifications.repository import JobRoleRepository, QualificationRepository
from laurel.qualifications.schemas import QualificationCreate, QualificationUpdate
from laurel.qualifications.service.names import require_free_name

_QUALIFICATION_FIELDS = ("id", "organization_id", "name", "description", "created_at", "updated_at")


async def _views(
    session: AsyncSession, qualifications: Sequence[Qualification]
) -> list[dict[str, Any]]:
    """Qualifications with their required types and roles, read in one go for all of them."""
    types, roles = await QualificationRepository(session).links([q.id for q in qualifications])
    return [
        {name: getattr(qualification, name) for name in _QUALIFICATION_FIELDS}
        | {
            "certification_type_ids": sorted(types[qualification.id]),
            "job_role_ids": sorted(roles[qualification.id]),
        }
        for qualification in qualifications
    ]


async def _view(session: AsyncSession, qualification: Qualification) -> dict[str, Any]:
    return (await _views(session, [qualification]))[0]


async def list_qualifications(
    session: AsyncSession, caller: Caller, organization_id: str, page: PageParams
) -> PageResult[dict[str, Any]]:
    caller.member_of(organization_id)
    result = await QualificationRepository(session).list_page(organization_id, page)
    return PageResult(await _views(session, result.rows), result.prev, result.next)


async def _qualification(
    session: AsyncSession, caller: Caller, organization_id: str, qualification_id: str
) -> Qualification:
    caller.member_of(organization_id)
    repository = QualificationRepository(session)
    return found(await repository.get(organization_id, qualification_id))


async def get_qualification(
    session: AsyncSession, caller: Caller, organization_id: str, qualification_id: str
) -> dict[str, Any]:
    return await _view(
        session, await _qualification(session, caller, organization_id, qualification_id)
    )


async def _checked_links(
    session: AsyncSession,
    organization_id: str,
    type_ids: Sequence[UUID] | None,
    role_ids: Sequence[UUID] | None,
) -> tuple[list[str] | None, list[str] | None]:
    """The linked ids, each once, after checking the organization may use every one."""
    types = None if type_ids is None else list(dict.fromkeys(map(id_of_uuid, type_ids)))
    roles = None if role_ids is None else list(dict.fromkeys(map(id_of_uuid, role_ids)))
    if types is not None:
        usable = await QualificationRepository(session).usable_type_ids(organization_id, types)
        _all_known("certification_type_ids", types, usable)
    if roles is not None:
        known = await JobRoleRepository(session).existing_ids(organization_id, roles)
        _all_known("job_role_ids", roles, known)
    return types, roles


def _all_known(field: str, ids: list[str], known: set[str]) -> None:
    for index, linked in enumerate(ids):
        if linked not in known:
            raise ValidationFailed(
                f"{field}[{index}]: no such id in this organization", param=f"{field}[{index}]"
            )


async def create_qualification(
    session: AsyncSession, caller: Caller, organization_id: str, body: QualificationCreate
) -> dict[str, Any]:
    caller.with_role(organization_id, Role.admin)
    types, roles = await _checked_links(
        session, organization_id, body.certification_type_ids, body.job_role_ids
    )
    qualification = Qualification(
        organization_id=organization_id, name=body.name, description=body.description
    )
    repository = QualificationRepository(session)
    await require_free_name(repository, organization_id, body.name)
    repository.add(qualification)
    await session.flush()
    await repository.replace_links(qualification.id, types, roles)
    return await _view(session, qualification)


async def update_qualification(
    session: AsyncSession,
    caller: Caller,
    organization_id: str,
    qualification_id: str,
    body: QualificationUpdate,
) -> dict[str, Any]:
    caller.with_role(organization_id, Role.admin)
    qualification = await _qualification(session, caller, organization_id, qualification_id)
    sent = body.model_fields_set
    types, roles = await _checked_links(
        session,
        organization_id,
        body.certification_type_ids if "certification_type_ids" in sent else None,
        body.job_role_ids if "job_role_ids" in sent else None,
    )
    repository = QualificationRepository(session)
    await require_free_name(repository, organization_id, body.name, qualification.id)
    if body.name is not None:
        qualification.name = body.name
    if "description" in sent:
        qualification.description = body.description
    qualification.updated_at = utc_now()
    await repository.replace_links(qualification.id, types, roles)
    return await _view(session, qualification)


async def delete_qualification(
    session: AsyncSession, caller: Caller, organization_id: str, qualification_id: str
) -> None:
    caller.with_role(organization_id, Role.admin)
    qualification = await _qualification(session, caller, organization_id, qualification_id)
    await QualificationRepository(session).delete(qualification)
