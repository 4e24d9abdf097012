"""SQL the two databases spell differently, behind one name."""

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignoring_conflicts(session: AsyncSession, table: Table, *key: str) -> Any:
    """`INSERT ... ON CONFLICT (key) DO NOTHING` for the session's database."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    build = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return build(table).on_conflict_do_nothing(index_elements=list(key))
