"""Cursor pagination: the cursor, the `limit`/`cursor` query parameters, and one page's query.

Each API family gives its lists their shape and their limits (issuer_api, records_api).

Lists are ordered newest first by id (ULIDs sort by creation time), and a cursor is the opaque
position of an item plus the direction to read in, so pages stay stable while rows are added.
"""

import base64
import binascii
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar

import orjson
from fastapi import Depends, Query
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from laurel.kit.errors import ValidationFailed
from laurel.kit.ids import is_valid_id

Direction = Literal["next", "prev"]
SortKey = InstrumentedAttribute[str] | ColumnElement[str]
Row = TypeVar("Row")
Item = TypeVar("Item")


@dataclass(frozen=True)
class Cursor:
    key: str
    direction: Direction

    def encode(self) -> str:
        raw = orjson.dumps({"k": self.key, "d": self.direction})
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        try:
            payload = orjson.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            key, direction = payload["k"], payload["d"]
        except (binascii.Error, ValueError, TypeError, KeyError):
            raise ValidationFailed(
                "cursor: not a cursor this API returned", param="cursor"
            ) from None
        if not isinstance(key, str) or not is_valid_id(key) or direction not in ("next", "prev"):
            raise ValidationFailed("cursor: not a cursor this API returned", param="cursor")
        return cls(key, direction)


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: Cursor | None


def page_query(default: int, maximum: int, cursor_description: str) -> Any:
    """The `limit` and `cursor` query parameters of one API family's lists, as a dependency."""

    def page_params(
        limit: Annotated[
            int, Query(ge=1, le=maximum, description=f"Items per page, 1 to {maximum}.")
        ] = default,
        cursor: Annotated[str | None, Query(max_length=200, description=cursor_description)] = None,
    ) -> PageParams:
        return PageParams(limit=limit, cursor=Cursor.decode(cursor) if cursor else None)

    return Depends(page_params)


@dataclass(frozen=True)
class PageResult(Generic[Row]):
    rows: list[Row]
    prev: str | None
    next: str | None


async def paginate(
    session: AsyncSession,
    statement: Select[*tuple[Any, ...]],
    key: SortKey,
    params: PageParams,
) -> PageResult[Any]:
    """Run `statement` for one page; only repositories call this (it issues the SQL)."""
    cursor = params.cursor
    reading_back = cursor is not None and cursor.direction == "prev"
    page_statement = statement
    if cursor is not None:
        page_statement = page_statement.where(
            key > cursor.key if reading_back else key < cursor.key
        )
    page_statement = page_statement.order_by(key.asc() if reading_back else key.desc())
    result = await session.execute(page_statement.limit(params.limit + 1))
    # One selected entity (select(Design)) pages ORM objects; several columns page Core rows.
    single_entity = len(statement.column_descriptions) == 1
    rows = list(result.scalars().all() if single_entity else result.all())
    more_this_way = len(rows) > params.limit
    rows = rows[: params.limit]
    if reading_back:
        rows.reverse()
    if not rows:
        return PageResult(rows, None, None)

    key_name = str(key.key)
    first_key, last_key = _key_of(rows[0], key_name), _key_of(rows[-1], key_name)
    if reading_back:
        has_prev = more_this_way
        has_next = await _any_beyond(session, statement, key, last_key, newer=False)
    else:
        has_next = more_this_way
        has_prev = cursor is not None and await _any_beyond(
            session, statement, key, first_key, newer=True
        )
    return PageResult(
        rows,
        prev=Cursor(first_key, "prev").encode() if has_prev else None,
        next=Cursor(last_key, "next").encode() if has_next else None,
    )


def _key_of(row: Any, key_name: str) -> str:
    """The sort key of a row: an entity's or column's own, or that of a row's first entity."""
    value = getattr(row, key_name, None)
    return str(value if value is not None else getattr(row[0], key_name))


async def _any_beyond(
    session: AsyncSession,
    statement: Select[*tuple[Any, ...]],
    key: SortKey,
    edge: str,
    *,
    newer: bool,
) -> bool:
    probe = statement.with_only_columns(key).where(key > edge if newer else key < edge).limit(1)
    return (await session.scalar(probe)) is not None
