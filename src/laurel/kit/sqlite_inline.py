"""Run the embedded SQLite database on the event loop's own thread.

SQLAlchemy's async SQLite dialect expects an aiosqlite connection, and aiosqlite runs every call
on a helper thread. On the machines Laurel targets a thread round trip costs ~100 µs while a
typical SQLite statement costs a few, so a request spent most of its time handing work between
threads (measured: `SELECT 1` took 730 µs through aiosqlite, 60 µs inline). These adapters offer
aiosqlite's async interface over a plain `sqlite3` connection and do the work inline.

That is sound because SQLite is a local file: a statement never waits on a network, and WAL lets
readers proceed beside the one writer. The one rule it adds: never await network I/O while a
write transaction is open (the outbox pattern already keeps mail and webhooks out of them).
"""

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, cast


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> "InlineCursor":
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> "InlineCursor":
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> "InlineCursor":
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size or self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class InlineConnection:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        # SQLAlchemy's adapter checks `_connection` to know the connection is still open.
        self._connection: sqlite3.Connection | None = connection

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._connection = None
        self._conn.close()

    def stop(self) -> None:
        self._connection = None
        self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._conn.isolation_level = cast(Any, value)


def inline_connector(path: str) -> Any:
    async def connect() -> InlineConnection:
        # The pool may close a connection from another thread at shutdown.
        return InlineConnection(sqlite3.connect(path, check_same_thread=False))

    return connect


class DataVersion:
    """Whether anyone committed to the database file: `PRAGMA data_version`, on a connection of
    its own.

    SQLite changes a connection's data_version whenever *another* connection, in this process or
    in any other, commits to the file; this connection never writes, so every commit shows. It
    is read in about 2 µs, which is what makes caching reads of committed data correct across
    processes (`laurel.db.CommittedReads`).
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None

    def __call__(self) -> int:
        if self._conn is None:
            # Opened on first use (after migrations created the file); closed with the engine,
            # from whichever thread disposes it.
            self._conn = sqlite3.connect(self._path, check_same_thread=False)
        # fetchall: a statement left unfinished would hold a read snapshot open.
        ((version,),) = self._conn.execute("PRAGMA data_version").fetchall()
        return int(version)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
