"""What happens to a record after it is made: suspend, reinstate, revoke, renew, verify."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from laurel.auth.users import Caller
from laurel.certifications.repository import CertificationRepository
from laurel.certifications.schemas import CertificationFields, VerificationCreate
from laurel.certifications.service.records import (
    RECORD_FIELDS,
    check_external_id,
    managed_record,
    record_view,
    usable_type,
    visible_record,
)
from laurel.certifications.validity import Validity
from laurel.kit.errors import InvalidTransition
from laurel.kit.pagination import PageParams, PageResult
from laurel.kit.timestamps import utc_now
from laurel.models import CertificationRecord, CertificationVerification, LifecycleStatus

_ALLOWED_FROM = {
    "suspend": {LifecycleStatus.active},
    "reinstate": {LifecycleStatus.suspended},
    "revoke": {LifecycleStatus.active, LifecycleStatus.suspended},
    "renew": {LifecycleStatus.active, LifecycleStatus.suspended},
}
_RESULT_OF = {
    "suspend": LifecycleStatus.suspended,
    "reinstate": LifecycleStatus.active,
    "revoke": LifecycleStatus.revoked,
}


def _check_transition(record: CertificationRecord, action: str) -> None:
    if record.lifecycle_status not in _ALLOWED_FROM[action]:
        raise InvalidTransition(
            f"A certification that is {record.lifecycle_status} cannot be changed by {action}"
        )


@dataclass(frozen=True)
class LifecycleChange:
    """Suspend, reinstate or revoke; a revocation (terminal) says why."""

    action: str
    reason: str | None = None


async def change_lifecycle(
    session: AsyncSession,
    caller: Caller,
    organization_id: str,
    record_id: str,
    change: LifecycleChange,
    *,
    validity: Validity,
) -> dict[str, Any]:
    """Suspend, reinstate or revoke."""
    record, kind = await managed_record(session, caller, organization_id, record_id)
    _check_transition(record, change.action)
    record.lifecycle_status = _RESULT_OF[change.action]
    now = utc_now()
    if change.action == "revoke":
        record.revocation_reason, record.revoked_at = change.reason, now
        record.revoked_by_user_id = caller.user_id
    record.updated_at = now
    return record_view(record, kind, validity)


async def renew_certification(
    session: AsyncSession,
    caller: Caller,
    organization_id: str,
    record_id: str,
    body: CertificationFields,
    *,
    validity: Validity,
) -> dict[str, Any]:
    """A new record of the same member and type supersedes the old one."""
    old, kind = await managed_record(session, caller, organization_id, record_id)
    _check_transition(old, "renew")
    kind = await usable_type(session, organization_id, kind.id)
    renewed = CertificationRecord(
        organization_id=old.organization_id,
        organization_member_id=old.organization_member_id,
        user_id=old.user_id,
        certification_type_id=old.certification_type_id,
        source=old.source,
        created_by_user_id=caller.user_id,
        **{name: getattr(body, name) for name in RECORD_FIELDS},
    )
    await check_external_id(session, organization_id, (body.external_source, body.external_id))
    CertificationRepository(session).add(renewed)
    await session.flush()
    old.lifecycle_status, old.superseded_by_id = LifecycleStatus.superseded, renewed.id
    old.updated_at = utc_now()
    return record_view(renewed, kind, validity)


async def add_verification(
    session: AsyncSession,
    caller: Caller,
    organization_id: str,
    record_id: str,
    body: VerificationCreate,
) -> CertificationVerification:
    """Append a verification to the history; the record shows the latest outcome."""
    record, _ = await managed_record(session, caller, organization_id, record_id)
    now = utc_now()
    verification = CertificationVerification(
        certification_record_id=record.id,
        method=body.method,
        result=body.result,
        notes=body.notes,
        verified_by_user_id=caller.user_id,
        created_at=now,
    )
    CertificationRepository(session).add(verification)
    record.verification_status, record.verification_method = body.result, body.method
    record.last_verified_at = record.updated_at = now
    await session.flush()
    return verification


async def list_verifications(
    session: AsyncSession, caller: Caller, organization_id: str, record_id: str, page: PageParams
) -> PageResult[CertificationVerification]:
    record, _ = await visible_record(session, caller, record_id, organization_id)
    return await CertificationRepository(session).verifications_page(record.id, page)
