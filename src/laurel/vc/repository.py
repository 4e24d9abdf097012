import secrets
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.ids import new_id
from laurel.kit.timestamps import utc_now
from laurel.models import Credential, StatusAllocation, StatusList
from laurel.models.base import table_of
from laurel.vc.status import LIST_SIZE, empty_bits

_lists, _allocations = table_of(StatusList), table_of(StatusAllocation)
_credentials = table_of(Credential)
# A list is closed to new credentials at half full, so random indexes stay cheap to find and the
# list keeps hiding who is who among many unused bits.
FILL_LIMIT = LIST_SIZE // 2


class StatusRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def allocate(self, organization_id: str, credential_id: str) -> tuple[str, int]:
        """A random unused index in the organization's open list (a new list when none is)."""
        list_id = await self._open_list(organization_id)
        while True:
            index = secrets.randbelow(LIST_SIZE)
            taken = await self.session.scalar(
                select(_allocations.c.credential_id).where(
                    _allocations.c.status_list_id == list_id, _allocations.c.status_index == index
                )
            )
            if taken is None:
                break
        await self.session.execute(
            insert(_allocations).values(
                credential_id=credential_id, status_list_id=list_id, status_index=index
            )
        )
        return list_id, index

    async def _open_list(self, organization_id: str) -> str:
        used = (
            select(_allocations.c.status_list_id, func.count().label("used"))
            .group_by(_allocations.c.status_list_id)
            .subquery()
        )
        statement = (
            select(_lists.c.id)
            .outerjoin(used, used.c.status_list_id == _lists.c.id)
            .where(
                _lists.c.organization_id == organization_id,
                func.coalesce(used.c.used, 0) < FILL_LIMIT,
            )
            .order_by(_lists.c.id)
            .limit(1)
        )
        list_id = await self.session.scalar(statement)
        if list_id is not None:
            return str(list_id)
        list_id = new_id()
        now = utc_now()
        await self.session.execute(
            insert(_lists).values(
                id=list_id,
                organization_id=organization_id,
                size=LIST_SIZE,
                bits=empty_bits(),
                created_at=now,
                updated_at=now,
            )
        )
        return str(list_id)

    async def get_list(self, list_id: str, *, for_update: bool = False) -> Any:
        statement = select(_lists).where(_lists.c.id == list_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).first()

    async def allocation_of(self, credential_id: str) -> Any:
        statement = select(_allocations).where(_allocations.c.credential_id == credential_id)
        return (await self.session.execute(statement)).first()

    async def store_bits(self, list_id: str, bits: bytes) -> None:
        await self.session.execute(
            update(_lists).where(_lists.c.id == list_id).values(bits=bits, updated_at=utc_now())
        )

    async def store_credential(self, credential_id: str, document: dict[str, Any]) -> None:
        await self.session.execute(
            update(_credentials)
            .where(_credentials.c.id == credential_id)
            .values(verifiable_credential=document)
        )

    async def signed_form_locked(self, credential_id: str) -> dict[str, Any] | None:
        """The credential's signed form, its row locked until the transaction ends (PostgreSQL;
        SQLite has one writer at a time): whoever signs next sees what this one stored."""
        statement = (
            select(_credentials.c.verifiable_credential)
            .where(_credentials.c.id == credential_id)
            .with_for_update()
        )
        document = await self.session.scalar(statement)
        return dict(document) if document is not None else None

    async def signed_credential(self, organization_id: str | None, credential_id: str) -> Any:
        statement = select(
            _credentials.c.id,
            _credentials.c.organization_id,
            _credentials.c.verifiable_credential,
            _credentials.c.revoked_at,
        ).where(_credentials.c.id == credential_id)
        if organization_id is not None:
            statement = statement.where(_credentials.c.organization_id == organization_id)
        return (await self.session.execute(statement)).first()

    async def by_public_id(self, public_id: str) -> Any:
        """The credential's ids, state, signed form and revocation, or None."""
        statement = select(
            _credentials.c.id,
            _credentials.c.organization_id,
            _credentials.c.state,
            _credentials.c.verifiable_credential,
            _credentials.c.revoked_at,
            _credentials.c.revocation_reason,
        ).where(_credentials.c.public_id == public_id)
        return (await self.session.execute(statement)).first()

    async def mark_revoked(self, credential_id: str, reason: str, revoked_by: str) -> None:
        await self.session.execute(
            update(_credentials)
            .where(_credentials.c.id == credential_id)
            .values(revoked_at=utc_now(), revocation_reason=reason, revoked_by=revoked_by)
        )
