from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from laurel.kit.pagination import PageParams, PageResult, paginate
from laurel.models import (
    CertificationRecord,
    CertificationType,
    CertificationVerification,
    LifecycleStatus,
    VerificationStatus,
)


class CertificationTypeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _visible_to(self, organization_id: str) -> Select[CertificationType]:
        """The organization's own types and the standard ones every organization shares."""
        return select(CertificationType).where(
            or_(
                CertificationType.organization_id == organization_id,
                CertificationType.organization_id.is_(None),
            )
        )

    async def list_page(
        self, organization_id: str, params: PageParams
    ) -> PageResult[CertificationType]:
        return await paginate(
            self.session, self._visible_to(organization_id), CertificationType.id, params
        )

    async def get_visible(self, organization_id: str, type_id: str) -> CertificationType | None:
        return await self.session.scalar(
            self._visible_to(organization_id).where(CertificationType.id == type_id)
        )

    async def list_standard(self) -> Sequence[CertificationType]:
        statement = (
            select(CertificationType)
            .where(CertificationType.organization_id.is_(None))
            .order_by(CertificationType.slug)
        )
        return (await self.session.scalars(statement)).all()

    async def slug_taken(self, organization_id: str | None, slug: str) -> bool:
        owner = (
            CertificationType.organization_id.is_(None)
            if organization_id is None
            else CertificationType.organization_id == organization_id
        )
        found = await self.session.scalar(
            select(CertificationType.id).where(owner, CertificationType.slug == slug)
        )
        return found is not None

    def add(self, certification_type: CertificationType) -> None:
        self.session.add(certification_type)


@dataclass(frozen=True)
class RecordReach:
    """The records a caller may see: in these organizations, and only their own when set."""

    organization_ids: Sequence[str]
    only_user_id: str | None = None
    only_member_id: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [
            CertificationRecord.organization_id.in_(self.organization_ids)
        ]
        if self.only_user_id is not None:
            conditions.append(CertificationRecord.user_id == self.only_user_id)
        if self.only_member_id is not None:
            conditions.append(CertificationRecord.organization_member_id == self.only_member_id)
        return conditions


@dataclass(frozen=True)
class RecordFilters:
    """What a list of records is narrowed to, as of `today` (the list routes' query filters)."""

    today: date
    expiring_until: date  # the last expiry date that counts as expiring (see validity.py)
    organization_member_id: str | None = None
    certification_type_id: str | None = None
    lifecycle_status: LifecycleStatus | None = None
    verification_status: VerificationStatus | None = None
    validity_status: str | None = None
    expires_before: date | None = None
    expiring_within_days: int | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        today = self.today
        conditions: list[ColumnElement[bool]] = []
        if self.organization_member_id is not None:
            conditions.append(
                CertificationRecord.organization_member_id == self.organization_member_id
            )
        if self.certification_type_id is not None:
            conditions.append(
                CertificationRecord.certification_type_id == self.certification_type_id
            )
        if self.lifecycle_status is not None:
            conditions.append(CertificationRecord.lifecycle_status == self.lifecycle_status)
        if self.verification_status is not None:
            conditions.append(CertificationRecord.verification_status == self.verification_status)
        if self.validity_status is not None:
            conditions.append(validity_condition(self.validity_status, today, self.expiring_until))
        if self.expires_before is not None:
            conditions.append(CertificationRecord.expires_on < self.expires_before)
        if self.expiring_within_days is not None:
            horizon = today + timedelta(days=self.expiring_within_days)
            conditions += [
                CertificationRecord.expires_on >= today,
                CertificationRecord.expires_on <= horizon,
            ]
        return conditions


def validity_condition(status: str, today: date, horizon: date) -> ColumnElement[bool]:
    """SQL for a computed `validity_status` (validity.Validity.status is its Python twin)."""
    started = or_(CertificationRecord.issued_on.is_(None), CertificationRecord.issued_on <= today)
    conditions: dict[str, ColumnElement[bool]] = {
        "not_yet_valid": CertificationRecord.issued_on > today,
        "expired": and_(started, CertificationRecord.expires_on < today),
        "expiring": and_(
            started,
            CertificationRecord.expires_on >= today,
            CertificationRecord.expires_on <= horizon,
        ),
        "valid": and_(
            started,
            or_(CertificationRecord.expires_on.is_(None), CertificationRecord.expires_on > horizon),
        ),
    }
    return conditions[status]


class CertificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _with_types(self) -> Select[CertificationRecord, CertificationType]:
        return select(CertificationRecord, CertificationType).join(
            CertificationType, CertificationType.id == CertificationRecord.certification_type_id
        )

    async def list_page(
        self, reach: RecordReach, filters: RecordFilters, params: PageParams
    ) -> PageResult[tuple[CertificationRecord, CertificationType]]:
        statement = self._with_types().where(*reach.conditions(), *filters.conditions())
        return await paginate(self.session, statement, CertificationRecord.id, params)

    async def get_with_type(
        self, record_id: str, reach: RecordReach
    ) -> tuple[CertificationRecord, CertificationType] | None:
        statement = self._with_types().where(
            CertificationRecord.id == record_id, *reach.conditions()
        )
        row = (await self.session.execute(statement)).first()
        if row is None:
            return None
        first, second = row
        return first, second

    async def find_external(
        self, organization_id: str, source: str, external_id: str
    ) -> str | None:
        return await self.session.scalar(
            select(CertificationRecord.id).where(
                CertificationRecord.organization_id == organization_id,
                CertificationRecord.external_source == source,
                CertificationRecord.external_id == external_id,
            )
        )

    def add(self, entity: CertificationRecord | CertificationVerification) -> None:
        self.session.add(entity)

    async def verifications_page(
        self, record_id: str, params: PageParams
    ) -> PageResult[CertificationVerification]:
        statement = select(CertificationVerification).where(
            CertificationVerification.certification_record_id == record_id
        )
        return await paginate(self.session, statement, CertificationVerification.id, params)
