from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from laurel.kit.pagination import PageParams, PageResult, paginate
from laurel.models import (
    CertificationRecord,
    CertificationType,
    CertificationVerification,
    Membership,
)

Record, Type = CertificationRecord, CertificationType


class CertificationTypeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _visible_to(self, organization_id: str) -> Select[CertificationType]:
        """The organization's own types and the standard ones every organization shares."""
        return select(Type).where(
            or_(Type.organization_id == organization_id, Type.organization_id.is_(None))
        )

    async def list_page(
        self, organization_id: str, params: PageParams
    ) -> PageResult[CertificationType]:
        return await paginate(self.session, self._visible_to(organization_id), Type.id, params)

    async def get_visible(self, organization_id: str, type_id: str) -> CertificationType | None:
        return await self.session.scalar(
            self._visible_to(organization_id).where(Type.id == type_id)
        )

    async def list_standard(self) -> Sequence[CertificationType]:
        statement = select(Type).where(Type.organization_id.is_(None)).order_by(Type.slug)
        return (await self.session.scalars(statement)).all()

    async def slug_taken(self, organization_id: str | None, slug: str) -> bool:
        owner = (
            Type.organization_id.is_(None)
            if organization_id is None
            else Type.organization_id == organization_id
        )
        found = await self.session.scalar(select(Type.id).where(owner, Type.slug == slug))
        return found is not None

    def add(self, certification_type: CertificationType) -> None:
        self.session.add(certification_type)


def validity_condition(status: str, today: date, window_days: int) -> ColumnElement[bool]:
    """SQL for a computed `validity_status` (see service.validity_status, its Python twin)."""
    started = or_(Record.issued_on.is_(None), Record.issued_on <= today)
    horizon = today + timedelta(days=window_days)
    conditions: dict[str, ColumnElement[bool]] = {
        "not_yet_valid": Record.issued_on > today,
        "expired": and_(started, Record.expires_on < today),
        "expiring": and_(started, Record.expires_on >= today, Record.expires_on <= horizon),
        "valid": and_(started, or_(Record.expires_on.is_(None), Record.expires_on > horizon)),
    }
    return conditions[status]


class CertificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def with_types(self) -> Select[CertificationRecord, CertificationType]:
        return select(Record, Type).join(Type, Type.id == Record.certification_type_id)

    async def list_page(
        self,
        statement: Select[CertificationRecord, CertificationType],
        conditions: Sequence[ColumnElement[bool]],
        params: PageParams,
    ) -> PageResult[tuple[CertificationRecord, CertificationType]]:
        return await paginate(self.session, statement.where(*conditions), Record.id, params)

    async def get_with_type(
        self, record_id: str, *conditions: ColumnElement[bool]
    ) -> tuple[CertificationRecord, CertificationType] | None:
        statement = self.with_types().where(Record.id == record_id, *conditions)
        row = (await self.session.execute(statement)).first()
        if row is None:
            return None
        first, second = row
        return first, second

    async def find_external(
        self, organization_id: str, source: str, external_id: str
    ) -> str | None:
        return await self.session.scalar(
            select(Record.id).where(
                Record.organization_id == organization_id,
                Record.external_source == source,
                Record.external_id == external_id,
            )
        )

    async def membership(self, member_id: str) -> Membership | None:
        return await self.session.get(Membership, member_id)

    def add(self, entity: CertificationRecord | CertificationVerification) -> None:
        self.session.add(entity)

    async def verifications_page(
        self, record_id: str, params: PageParams
    ) -> PageResult[CertificationVerification]:
        statement = select(CertificationVerification).where(
            CertificationVerification.certification_record_id == record_id
        )
        return await paginate(self.session, statement, CertificationVerification.id, params)
