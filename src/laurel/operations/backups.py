"""Backups and restores: the SQLite file copied online; PostgreSQL through its own tools.

SQLite is copied with the online backup API (`sqlite3.Connection.backup`), a step of pages at a
time so progress can be shown, all from inside one read transaction. In WAL mode that
transaction is a snapshot: the copy is the database as of one instant however many commits land
meanwhile, and writers are never blocked. (Without the held transaction SQLite restarts the copy
whenever another connection commits between two steps; under steady writes it may never end.)
The copy is written beside the target and renamed into place once complete and checked, so a
backup file is always whole.

A restore copies the other way through the same API, into the configured database: SQLite
writes it as one transaction, so a process that still had the file open would see the old
database or the restored one, never a mix; stopping them first is still the rule, as they keep
caches (docs/operations.md). An existing database is replaced only when asked (`force`).

PostgreSQL has `pg_dump --format=custom` and `pg_restore --clean --if-exists`, which take a
consistent snapshot and restore in parallel; Laurel runs them when they are installed.
"""

import os
import shlex
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

# 1,024 pages (4 MiB at SQLite's default page size) between progress reports.
PAGES_PER_STEP = 1024

Progress = Callable[[int, int], None]
"""Called with (pages copied, pages in all) after each step."""


class BackupRefused(Exception):
    """The backup or restore was not attempted; the message says why and what to do."""


@dataclass(frozen=True)
class Copied:
    path: Path
    size_bytes: int
    # The Alembic revision of the copied schema; None when the database was never migrated.
    revision: str | None


def _copy(
    source: sqlite3.Connection, target: sqlite3.Connection, progress: Progress, *, live: bool
) -> None:
    def report(_status: int, remaining: int, total: int) -> None:
        progress(total - remaining, total)

    if not live:
        source.backup(target, pages=PAGES_PER_STEP, progress=report, sleep=0)
        return
    # A read transaction held across every step: the snapshot the whole copy is taken from.
    source.execute("BEGIN")
    source.execute("SELECT count(*) FROM sqlite_schema").fetchall()
    try:
        source.backup(target, pages=PAGES_PER_STEP, progress=report, sleep=0)
    finally:
        source.rollback()


def _revision(connection: sqlite3.Connection) -> str | None:
    has_table = connection.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchall()
    if not has_table:
        return None
    rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    return str(rows[0][0]) if rows else None


def _check(connection: sqlite3.Connection, what: str) -> None:
    ((verdict,), *_) = connection.execute("PRAGMA quick_check").fetchall()
    if verdict != "ok":
        raise BackupRefused(f"{what} is damaged: {verdict}")


def backup_sqlite(database: Path, target: Path, progress: Progress, *, force: bool) -> Copied:
    """Copy the live database file to `target`, consistent as of one instant."""
    if not database.is_file():
        raise BackupRefused(f"There is no database at {database}")
    if target.exists() and not force:
        raise BackupRefused(f"{target} exists; --force replaces it")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with (
        closing(sqlite3.connect(database, isolation_level=None)) as source,
        closing(sqlite3.connect(partial, isolation_level=None)) as copy,
    ):
        _copy(source, copy, progress, live=True)
        # One self-contained file: the rollback journal, not WAL (the copy took the source's).
        copy.execute("PRAGMA journal_mode=DELETE").fetchall()
        _check(copy, "The copy")
        revision = _revision(copy)
    with partial.open("rb") as written:
        os.fsync(written.fileno())
    os.replace(partial, target)
    return Copied(target, target.stat().st_size, revision)


def _holds_data(database: Path) -> bool:
    if not database.is_file() or database.stat().st_size == 0:
        return False
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
        ).fetchone()
    return bool(tables and tables[0])


def restore_sqlite(backup: Path, database: Path, progress: Progress, *, force: bool) -> Copied:
    """Copy a backup into the configured database file, replacing it only with `force`."""
    if not backup.is_file():
        raise BackupRefused(f"There is no backup at {backup}")
    with closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as source:
        try:
            _check(source, f"The backup {backup}")
            revision = _revision(source)
        except sqlite3.DatabaseError as error:
            raise BackupRefused(f"{backup} is not a SQLite database: {error}") from None
        if revision is None:
            raise BackupRefused(f"{backup} is not a Laurel database (no schema revision)")
        if _holds_data(database) and not force:
            raise BackupRefused(
                f"{database} exists and holds a database; stop every `laurel serve` and "
                "`laurel worker` using it, then --force replaces it"
            )
        database.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(database, isolation_level=None, timeout=30)) as target:
            _copy(source, target, progress, live=False)
            target.execute("PRAGMA journal_mode=WAL").fetchall()
            _check(target, "The restored database")
    return Copied(database, database.stat().st_size, revision)


# PostgreSQL: the server's own tools, told where to connect through libpq's environment so a
# password never shows in the process list.


# What libpq understands of a URL's query (asyncpg's own options are left out).
_LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout")


def libpq_connection(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL for Laurel's PostgreSQL URL, and its password as PGPASSWORD (if any)."""
    url = make_url(database_url)
    query = {name: value for name, value in url.query.items() if name in _LIBPQ_OPTIONS}
    if "sslmode" not in query and isinstance(url.query.get("ssl"), str):
        query["sslmode"] = url.query["ssl"]  # asyncpg spells it ssl=require
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=query,
    )
    password = {"PGPASSWORD": url.password} if url.password else {}
    return plain.render_as_string(hide_password=False), password


def pg_dump_command(connection: str, target: Path) -> list[str]:
    return [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        "--verbose",
        f"--file={target}",
        f"--dbname={connection}",
    ]


def pg_restore_command(connection: str, backup: Path) -> list[str]:
    return [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--exit-on-error",
        "--single-transaction",
        "--verbose",
        f"--dbname={connection}",
        str(backup),
    ]


def postgres_steps(database_url: str) -> str:
    """What to run by hand where pg_dump and pg_restore are not installed."""
    connection, _ = libpq_connection(database_url)
    dump, restore = (
        shlex.join(part for part in command if part != "--verbose")
        for command in (
            pg_dump_command(connection, Path("laurel.dump")),
            pg_restore_command(connection, Path("laurel.dump")),
        )
    )
    return (
        "PostgreSQL is backed up with its own tools (Debian's postgresql-client package):\n"
        f"  {dump}\n"
        "and restored, with every `laurel serve` and `laurel worker` stopped, with\n"
        f"  {restore}\n"
        "(a password from PGPASSWORD or ~/.pgpass). Keep LAUREL_SECRET_KEY with the dump."
    )
