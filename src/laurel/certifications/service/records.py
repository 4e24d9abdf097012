"""Certification records: who may see and record which, and what a record shows."""

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.users import Caller
from laurel.certifications.repository import (
    CertificationRepository,
    CertificationTypeRepository,
    RecordFilters,
    RecordReach,
)
from laurel.certifications.schemas import (
    CertificationCreate,
    CertificationFields,
    CertificationFilters,
)
from laurel.certifications.validity import Validity
from laurel.kit.errors import DuplicateExternalId, Forbidden, ValidationFailed, found
from laurel.kit.ids import id_of_uuid, uuid_of
from laurel.kit.pagination import PageParams, PageResult
from laurel.kit.timestamps import utc_now
from laurel.members.repository import MemberRepository
from laurel.models import (
    CertificationRecord,
    CertificationType,
    Membership,
    MembershipStatus,
    Role,
    TypeStatus,
)

RECORD_FIELDS: tuple[str, ...] = (
    "external_id",
    "external_source",
    "issued_on",
    "expires_on",
    "issuer_name",
    "serial_number",
)


def record_view(
    record: CertificationRecord, certification_type: CertificationType, validity: Validity
) -> dict[str, Any]:
    view = {column: getattr(record, column) for column in _VIEW_COLUMNS}
    today = utc_now().date()
    view["validity_status"] = validity.status(record.issued_on, record.expires_on, today)
    view["certification_type"] = certification_type
    return view


_VIEW_COLUMNS = (
    "id",
    "organization_id",
    "organization_member_id",
    "user_id",
    "certification_type_id",
    "lifecycle_status",
    "source",
    "verification_status",
    "verification_method",
    "last_verified_at",
    "created_at",
    "updated_at",
    *RECORD_FIELDS,
)


def _reach(caller: Caller, organization_id: str | None) -> RecordReach:
    """Which records the caller may see: their own, or an organization's (managers and up)."""
    if organization_id is None:
        reachable = [m.organization_id for m in caller.memberships]
        return RecordReach(reachable, only_user_id=caller.user_id)
    own = caller.member_of(organization_id)
    return RecordReach(
        [organization_id], only_member_id=None if own.at_least(Role.manager) else own.id
    )


def _record_filters(filters: CertificationFilters, validity: Validity) -> RecordFilters:
    member_id, type_id = filters.organization_member_id, filters.certification_type_id
    today = utc_now().date()
    return RecordFilters(
        today=today,
        expiring_until=validity.expiring_until(today),
        organization_member_id=None if member_id is None else id_of_uuid(member_id),
        certification_type_id=None if type_id is None else id_of_uuid(type_id),
        lifecycle_status=filters.lifecycle_status,
        verification_status=filters.verification_status,
        validity_status=filters.validity_status,
        expires_before=filters.expires_before,
        expiring_within_days=filters.expiring_within_days,
    )


async def list_certifications(
    session: AsyncSession,
    caller: Caller,
    filters: CertificationFilters,
    page: PageParams,
    *,
    organization_id: str | None,
    validity: Validity,
) -> PageResult[dict[str, Any]]:
    reach, narrowed = _reach(caller, organization_id), _record_filters(filters, validity)
    result = await CertificationRepository(session).list_page(reach, narrowed, page)
    rows = [record_view(record, kind, validity) for record, kind in result.rows]
    return PageResult(rows, result.prev, result.next)


async def visible_record(
    session: AsyncSession, caller: Caller, record_id: str, organization_id: str | None
) -> tuple[CertificationRecord, CertificationType]:
    repository = CertificationRepository(session)
    return found(await repository.get_with_type(record_id, _reach(caller, organization_id)))


async def get_certification(
    session: AsyncSession,
    caller: Caller,
    record_id: str,
    organization_id: str | None,
    *,
    validity: Validity,
) -> dict[str, Any]:
    record, kind = await visible_record(session, caller, record_id, organization_id)
    return record_view(record, kind, validity)


async def _target_member(
    session: AsyncSession, caller: Caller, requested: UUID | None, organization_id: str | None
) -> Membership:
    """The member a new record is for, checked against the caller's reach."""
    field = "organization_member_id"
    member_id = id_of_uuid(requested) if requested is not None else None
    if member_id is None:
        if organization_id is not None:
            raise ValidationFailed(f"{field}: required on organization routes", param=field)
        primary = [m for m in caller.memberships if m.is_primary] or list(caller.memberships)
        if len(primary) != 1:
            raise ValidationFailed(f"{field}: required: name the membership", param=field)
        member_id = primary[0].id
    member = await MemberRepository(session).get(member_id)
    if member is None or member.status != MembershipStatus.active:
        raise ValidationFailed(f"{field}: no active member with this id", param=field)
    if organization_id is not None and member.organization_id != organization_id:
        raise ValidationFailed(f"{field}: not a member of this organization", param=field)
    own = next((m for m in caller.memberships if m.organization_id == member.organization_id), None)
    if own is None:
        raise ValidationFailed(f"{field}: not a member you can reach", param=field)
    if own.id != member.id and not own.at_least(Role.manager):
        raise Forbidden("Only managers and above record certifications for other members")
    return member


async def usable_type(
    session: AsyncSession, organization_id: str, type_id: str
) -> CertificationType:
    field = "certification_type_id"
    kind = await CertificationTypeRepository(session).get_visible(organization_id, type_id)
    if kind is None:
        raise ValidationFailed(f"{field}: no certification type with this id", param=field)
    if kind.status == TypeStatus.archived:
        raise ValidationFailed(
            f"{field}: the type is archived; it takes no new records", param=field
        )
    return kind


async def check_external_id(
    session: AsyncSession,
    organization_id: str,
    external: tuple[str | None, str | None],
    ignore_id: str | None = None,
) -> None:
    """`external` is (external_source, external_id); both set must be unique in the org."""
    source, external_id = external
    if source is None or external_id is None:
        return
    existing = await CertificationRepository(session).find_external(
        organization_id, source, external_id
    )
    if existing is not None and existing != ignore_id:
        raise DuplicateExternalId(uuid_of(existing))


async def create_certification(
    session: AsyncSession,
    caller: Caller,
    body: CertificationCreate,
    *,
    organization_id: str | None,
    validity: Validity,
) -> dict[str, Any]:
    if organization_id is not None:
        caller.member_of(organization_id)
    member = await _target_member(session, caller, body.organization_member_id, organization_id)
    type_id = id_of_uuid(body.certification_type_id)
    kind = await usable_type(session, member.organization_id, type_id)
    record = CertificationRecord(
        organization_id=member.organization_id,
        organization_member_id=member.id,
        user_id=member.user_id,
        certification_type_id=kind.id,
        source=body.source,
        created_by_user_id=caller.user_id,
        **{name: getattr(body, name) for name in RECORD_FIELDS},
    )
    external = (record.external_source, record.external_id)
    await check_external_id(session, member.organization_id, external)
    CertificationRepository(session).add(record)
    await session.flush()
    return record_view(record, kind, validity)


async def managed_record(
    session: AsyncSession, caller: Caller, organization_id: str, record_id: str
) -> tuple[CertificationRecord, CertificationType]:
    caller.with_role(organization_id, Role.manager)
    return await visible_record(session, caller, record_id, organization_id)


async def update_certification(
    session: AsyncSession,
    caller: Caller,
    organization_id: str,
    record_id: str,
    body: CertificationFields,
    *,
    validity: Validity,
) -> dict[str, Any]:
    record, kind = await managed_record(session, caller, organization_id, record_id)
    changes = {name: getattr(body, name) for name in body.model_fields_set & set(RECORD_FIELDS)}
    merged = {name: changes.get(name, getattr(record, name)) for name in RECORD_FIELDS}
    if merged["issued_on"] and merged["expires_on"] and merged["expires_on"] < merged["issued_on"]:
        raise ValidationFailed("expires_on: must not be before issued_on", param="expires_on")
    external = (merged["external_source"], merged["external_id"])
    await check_external_id(session, organization_id, external, ignore_id=record.id)
    for name, value in changes.items():
        setattr(record, name, value)
    record.updated_at = utc_now()
    return record_view(record, kind, validity)
