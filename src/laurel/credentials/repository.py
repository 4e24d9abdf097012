import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.credentials.schemas import CredentialView, SearchSort
from laurel.kit.ids import new_id
from laurel.kit.pagination import PageParams, PageResult, paginate
from laurel.kit.sql import insert_ignoring_conflicts
from laurel.kit.timestamps import utc_now
from laurel.models import Credential, CredentialInteraction, CredentialState, Group
from laurel.models.base import table_of

_credentials, _groups = table_of(Credential), table_of(Group)
_interactions = table_of(CredentialInteraction)
_VIEW = select(
    _credentials.c.id,
    _credentials.c.public_id,
    _credentials.c.group_id,
    _groups.c.name.label("group_name"),
    _credentials.c.state,
    _credentials.c.recipient_id,
    _credentials.c.recipient_name,
    _credentials.c.recipient_email,
    _credentials.c.issue_date,
    _credentials.c.expiry_date,
    _credentials.c.custom_attributes,
    _credentials.c.created_at,
    _credentials.c.updated_at,
    _credentials.c.revoked_at,
    _credentials.c.scheduled_at,
).select_from(_credentials.join(_groups, _groups.c.id == _credentials.c.group_id))
# Statements of create-issue-send's hot path, built once: building `insert().values(...)` per
# request cost more than the insert itself.
_INSERT_CREDENTIAL = insert(_credentials)
_SORT_COLUMNS = {
    "id": _credentials.c.id,
    "createdAt": _credentials.c.created_at,
    "updatedAt": _credentials.c.updated_at,
    "issueDate": _credentials.c.issue_date,
    "expiryDate": _credentials.c.expiry_date,
}


def _view(row: Any) -> CredentialView:
    return CredentialView(
        row.id,
        row.public_id,
        row.group_id,
        row.group_name,
        row.state,
        row.recipient_id,
        row.recipient_name,
        row.recipient_email,
        row.issue_date,
        row.expiry_date,
        dict(row.custom_attributes or {}),
        row.created_at,
        row.updated_at,
        row.revoked_at,
        row.scheduled_at,
    )


class CredentialRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert(self, organization_id: str, values: dict[str, Any]) -> dict[str, Any]:
        row = self.new_row(organization_id, values)
        await self.session.execute(_INSERT_CREDENTIAL, row)
        return row

    @staticmethod
    def new_row(organization_id: str, values: dict[str, Any]) -> dict[str, Any]:
        now = utc_now()
        return {
            "id": new_id(),
            "public_id": str(uuid.uuid4()),
            "recipient_id": new_id(),
            "organization_id": organization_id,
            "created_at": now,
            "updated_at": now,
            "import_key": None,
            **values,
        }

    async def insert_many_once(self, rows: list[dict[str, Any]]) -> list[str]:
        """Insert rows whose import_key is new; returns the ids actually inserted."""
        if not rows:
            return []
        statement = insert_ignoring_conflicts(
            self.session, _credentials, "organization_id", "import_key"
        ).returning(_credentials.c.id)
        result = await self.session.execute(statement, rows)
        return [row.id for row in result]

    async def get_view(self, organization_id: str, credential_id: str) -> CredentialView | None:
        row = (
            await self.session.execute(
                _VIEW.where(
                    _credentials.c.organization_id == organization_id,
                    _credentials.c.id == credential_id,
                )
            )
        ).first()
        return None if row is None else _view(row)

    async def list_views(
        self, organization_id: str, params: PageParams
    ) -> PageResult[CredentialView]:
        statement = _VIEW.where(_credentials.c.organization_id == organization_id)
        page = await paginate(self.session, statement, _credentials.c.id, params)
        return PageResult([_view(row) for row in page.rows], page.prev, page.next)

    async def search_views(
        self,
        organization_id: str,
        condition: ColumnElement[bool],
        sort: SearchSort,
        offset: int,
        limit: int,
    ) -> tuple[list[CredentialView], bool]:
        column = _SORT_COLUMNS[sort.property]
        order = column.asc() if sort.order == "asc" else column.desc()
        tiebreak = _credentials.c.id.asc() if sort.order == "asc" else _credentials.c.id.desc()
        statement = (
            _VIEW.where(_credentials.c.organization_id == organization_id, condition)
            .order_by(order.nulls_last(), tiebreak)
            .offset(offset)
            .limit(limit + 1)
        )
        rows = (await self.session.execute(statement)).all()
        return [_view(row) for row in rows[:limit]], len(rows) > limit

    async def update(
        self, organization_id: str, credential_id: str, values: dict[str, Any]
    ) -> datetime:
        """Apply `values`; returns the new `updated_at`."""
        now = utc_now()
        await self.session.execute(
            update(_credentials)
            .where(
                _credentials.c.organization_id == organization_id,
                _credentials.c.id == credential_id,
            )
            .values(**values, updated_at=now)
        )
        return now

    async def update_draft(
        self,
        organization_id: str,
        credential_id: str,
        values: dict[str, Any],
        *,
        scheduled_at: datetime | None = None,
    ) -> datetime | None:
        """Apply `values` only if the credential is still a draft (and, with `scheduled_at`, still
        scheduled for exactly that moment); returns the new `updated_at`, or None if it was not.

        The check and the change are one statement, so of two hands moving one draft on at once
        (an issue request and the worker's scheduled issue, say) exactly one succeeds: on
        PostgreSQL the second waits for the first to commit, then finds the row changed.
        """
        now = utc_now()
        statement = update(_credentials).where(
            _credentials.c.organization_id == organization_id,
            _credentials.c.id == credential_id,
            _credentials.c.state == CredentialState.draft,
        )
        if scheduled_at is not None:
            statement = statement.where(_credentials.c.scheduled_at == scheduled_at)
        result = await self.session.execute(statement.values(**values, updated_at=now))
        return now if getattr(result, "rowcount", 0) == 1 else None

    async def delete(self, organization_id: str, credential_id: str) -> bool:
        result = await self.session.execute(
            delete(_credentials).where(
                _credentials.c.organization_id == organization_id,
                _credentials.c.id == credential_id,
            )
        )
        return bool(getattr(result, "rowcount", 0))


class InteractionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert(self, organization_id: str, values: dict[str, Any]) -> dict[str, Any]:
        row = {"id": new_id(), "organization_id": organization_id, **values}
        await self.session.execute(insert(_interactions).values(**row))
        return row

    async def insert_many(self, rows: list[dict[str, Any]]) -> None:
        """Rows with their organization_id, credential_id, event_type, triggered_by/_at."""
        await self.session.execute(insert(_interactions), [{"id": new_id(), **row} for row in rows])

    async def insert_many_for_existing(self, rows: list[dict[str, Any]]) -> int:
        """`insert_many` for the rows whose credential still exists (one may have been deleted
        since the event happened); returns how many were written."""
        ids = {row["credential_id"] for row in rows}
        statement = select(_credentials.c.id).where(_credentials.c.id.in_(ids))
        existing = set((await self.session.scalars(statement)).all())
        kept = [row for row in rows if row["credential_id"] in existing]
        if kept:
            await self.insert_many(kept)
        return len(kept)

    async def list_page(
        self, organization_id: str, credential_id: str | None, params: PageParams
    ) -> PageResult[Any]:
        statement = select(_interactions).where(_interactions.c.organization_id == organization_id)
        if credential_id is not None:
            statement = statement.where(_interactions.c.credential_id == credential_id)
        return await paginate(self.session, statement, _interactions.c.id, params)
