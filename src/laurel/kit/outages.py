"""What counts as the database being out of reach (an outage, 503) rather than a bug (500).

A restarting, unreachable, overloaded or full database is a moment to wait out: clients are told
`503 service_unavailable` with `Retry-After`, and the connection pool recovers by itself once the
database answers again (pool_pre_ping, laurel.db). Everything else a database can raise (a
constraint, a syntax error, a missing table) stays a 500.

- PostgreSQL: a connection that could not be made (`DatabaseUnreachable`, raised by laurel.db
  for refused, reset or timed-out connects), a connection SQLAlchemy saw die
  (`connection_invalidated`), SQLSTATE class 08 (connection exception), class 53 (insufficient
  resources: too many connections, disk full) and 57P01-57P03 (shut down by an administrator,
  crashed, not accepting connections yet), whether asyncpg raised it at connect or SQLAlchemy
  wrapped it around a statement.
- SQLite: the file is local and cannot go away the way a server does; what a file can do is be
  locked beyond the busy timeout, impossible to open, unreadable, full or read-only
  (SQLITE_BUSY, _LOCKED, _CANTOPEN, _IOERR, _FULL, _READONLY): the same 503.
- Either: no pooled connection free within the pool's timeout (SQLAlchemy's TimeoutError).
"""

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

_OUTAGE_SQLSTATES = ("08", "53", "57P01", "57P02", "57P03")
_OUTAGE_SQLITE_ERRORS = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR",
    "SQLITE_FULL",
    "SQLITE_READONLY",
)


class DatabaseUnreachable(ConnectionError):
    """No connection to the database could be made (refused, reset, timed out)."""


def database_unreachable(error: BaseException) -> bool:
    """Whether `error` (or what it wraps) says the database is out of reach for now."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DatabaseUnreachable | PoolTimeout):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        sqlstate = getattr(current, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_OUTAGE_SQLSTATES):
            return True
        sqlite_error = getattr(current, "sqlite_errorname", None)
        if isinstance(sqlite_error, str) and sqlite_error.startswith(_OUTAGE_SQLITE_ERRORS):
            return True
        wrapped = current.orig if isinstance(current, DBAPIError) else None
        current = wrapped if isinstance(wrapped, BaseException) else current.__cause__
    return False
