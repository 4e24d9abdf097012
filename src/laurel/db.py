"""Database engines, the session factory and the per-request session dependency."""

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine.interfaces import DBAPIConnection, Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from laurel.config import Settings
from laurel.kit.outages import DatabaseUnreachable
from laurel.kit.sqlite_inline import DataVersion, inline_connector

T = TypeVar("T")


def _tune_sqlite_connection(dbapi_connection: DBAPIConnection, _: ConnectionPoolEntry) -> None:
    # WAL lets readers run beside the one writer; busy_timeout makes a second writer wait
    # instead of failing at once; SQLite leaves foreign keys off unless asked.
    cursor = dbapi_connection.cursor()
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA busy_timeout=5000",
    ):
        cursor.execute(pragma)
    cursor.close()


def create_engine(settings: Settings) -> AsyncEngine:
    options: dict[str, Any] = {"pool_pre_ping": not settings.is_sqlite}
    if settings.is_sqlite:
        sqlite_path = settings.sqlite_path()
        if sqlite_path is None:
            raise ValueError("Laurel needs a SQLite file (sqlite:///path.db), not an in-memory one")
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        options["async_creator"] = inline_connector(str(sqlite_path))
        # Every transaction ends in a commit or a rollback before its connection goes back
        # (sessions and `Connection.close()` see to it), so the pool's own rollback on return
        # is a second, redundant one.
        options["pool_reset_on_return"] = None
    else:
        options["pool_size"] = settings.database_pool_size
        options["connect_args"] = {"timeout": settings.database_connect_timeout_seconds}
    engine = create_async_engine(settings.database_url, **options)
    if settings.is_sqlite:
        event.listen(engine.sync_engine, "connect", _tune_sqlite_connection)
    else:
        event.listen(engine.sync_engine, "do_connect", _connect_or_report_unreachable)
    return engine


def _connect_or_report_unreachable(
    dialect: Dialect, _: ConnectionPoolEntry, cargs: Any, cparams: Any
) -> DBAPIConnection:
    # A refused, reset or timed-out connect surfaces as a bare OSError or TimeoutError, which
    # could come from anywhere; named here, it is recognisably the database being away
    # (kit/outages: 503 with Retry-After, not 500).
    try:
        return dialect.connect(*cargs, **cparams)
    except (OSError, TimeoutError) as error:
        raise DatabaseUnreachable(f"Cannot reach the database: {error}") from error


class CommittedReads:
    """Results of reads of committed rows, kept until anyone commits anything.

    Only where the database says cheaply and for every process that nothing changed: on SQLite,
    `PRAGMA data_version` (kit/sqlite_inline.DataVersion), checked on every lookup; any commit,
    from any connection of any process, empties the cache. A hit is therefore what the read
    would have returned. PostgreSQL has no such signal, so there nothing is kept (`version` is
    None). Kept values are shared between requests: callers must not change them.
    """

    def __init__(self, version: Callable[[], int] | None, max_entries: int = 10_000) -> None:
        self._version = version
        self._max_entries = max_entries
        self._entries: dict[Hashable, Any] = {}
        self._seen: int | None = None

    async def read(
        self, session: AsyncSession, key: Hashable, read: Callable[[], Awaitable[T]]
    ) -> T:
        """`read()`'s result for `key`, from the cache while no one has committed since.

        Only outside a transaction: once the session has begun one it may have written, and
        its own uncommitted writes must be read through it.
        """
        if self._version is None or session.in_transaction():
            return await read()
        # Read before the rows: a commit after this point makes the next lookup miss.
        version = self._version()
        if version != self._seen:
            self._entries.clear()
            self._seen = version
        elif key in self._entries:
            found: T = self._entries[key]
            return found
        value = await read()
        if self._seen != version:
            # Another request saw a commit while this read awaited: its result may predate it.
            return value
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[key] = value
        return value


def committed_reads(session: AsyncSession) -> CommittedReads:
    """The cache of the database this session belongs to (a session without one keeps nothing)."""
    reads = session.info.get(_COMMITTED_READS)
    return reads if isinstance(reads, CommittedReads) else _NO_CACHE


_COMMITTED_READS = "laurel.committed_reads"
_NO_CACHE = CommittedReads(None)


@dataclass
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    data_version: DataVersion | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "Database":
        engine = create_engine(settings)
        sqlite_path = settings.sqlite_path()
        data_version = DataVersion(str(sqlite_path)) if sqlite_path is not None else None
        # Each session carries the database's cache, so repositories reach it from the session.
        reads = CommittedReads(data_version)
        sessions = async_sessionmaker(
            engine, expire_on_commit=False, info={_COMMITTED_READS: reads}
        )
        return cls(engine, sessions, data_version)

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.data_version is not None:
            self.data_version.close()


# Where a middleware asks the session dependency to leave the request's transaction open for it.
HELD_TRANSACTION = "laurel.held_transaction"


@dataclass
class HeldTransaction:
    """A request's transaction, left open by the session dependency for a middleware to commit.

    The idempotency middleware holds the transaction of a request with an `Idempotency-Key`, so
    that the answer it keeps is committed with the request's work or not at all: a process
    killed between the two would otherwise leave work done and no answer, and a retry would do
    it again. Whoever put it in the request's scope commits or rolls back `session` and closes it.
    """

    session: AsyncSession | None = None


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the endpoint succeeds, rolled back otherwise.

    A request that ran no SQL (a read served from `CommittedReads`) has nothing to commit. A
    request whose transaction a middleware holds (`HeldTransaction`) leaves it open for it.
    Measured (bench/run.py, SQLite): closing the session through `async with` keeps POST p99 at
    ~25 ms, where closing it by hand in a `finally` let it climb past 150 ms.
    """
    database: Database = request.app.state.database
    held = request.scope.get(HELD_TRANSACTION)
    if isinstance(held, HeldTransaction):
        session = database.sessions()
        try:
            yield session
        except BaseException:
            await session.close()  # rolls the work back
            raise
        held.session = session
        return
    async with database.sessions() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        if session.in_transaction():
            await session.commit()


# scope="function" ends the dependency before the response is sent, so a failed commit
# becomes an error response instead of a success the client was told about.
DbSession = Annotated[AsyncSession, Depends(_request_session, scope="function")]
