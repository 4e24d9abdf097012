"""When each API access token was last used, kept off the API's hot path.

The guard that accepts a token (cache hit or not) only notes its id in memory (`TokenUses.add`);
a task of the process (started by the app's lifespan, `kit.periodic`) writes the ids noted in one
statement every few seconds, and at shutdown. The statement skips a token whose stored time is
less than a minute old, and a process does not note again, for a minute, a token it has written:
a busy token costs one write a minute per process, whatever its request rate. A process that
dies loses its last few seconds of uses, which only makes "last used" a little older.
"""

import time
from collections.abc import Iterable, Iterator
from datetime import timedelta

from laurel.db import Database
from laurel.kit.timestamps import utc_now
from laurel.tokens.repository import AccessTokenRepository

WRITE_EVERY_SECONDS = 5.0
PRECISION = timedelta(minutes=1)
_IDS_PER_STATEMENT = 500


def _chunks(ids: Iterable[str]) -> Iterator[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _IDS_PER_STATEMENT):
        yield ordered[start : start + _IDS_PER_STATEMENT]


class TokenUses:
    """Ids of the tokens used since the last write. Bounded: beyond `max_tokens` distinct
    tokens between two writes, further ones wait for a later use."""

    def __init__(self, max_tokens: int = 100_000) -> None:
        self._used: set[str] = set()
        self._max_tokens = max_tokens
        # Token id -> until when (time.monotonic) it need not be noted again. A plain dict, read
        # on every API request: a few times cheaper than a TTLCache's lookup.
        self._written: dict[str, float] = {}

    def add(self, token_id: str) -> None:
        quiet_until = self._written.get(token_id)
        if quiet_until is not None and quiet_until > time.monotonic():
            return
        if len(self._used) < self._max_tokens:
            self._used.add(token_id)

    async def write(self, database: Database) -> int:
        """Store the uses noted so far; how many tokens' times changed."""
        used, self._used = self._used, set()
        if not used:
            return 0
        now = utc_now()
        changed = 0
        try:
            async with database.sessions() as session, session.begin():
                repository = AccessTokenRepository(session)
                for ids in _chunks(used):
                    changed += await repository.mark_used(ids, now, older_than=now - PRECISION)
        except BaseException:
            self._used |= used  # kept for the next write
            raise
        self._remember_written(used)
        return changed

    def _remember_written(self, used: set[str]) -> None:
        now = time.monotonic()
        self._written = {key: until for key, until in self._written.items() if until > now}
        quiet_until = now + PRECISION.total_seconds()
        self._written.update(dict.fromkeys(used, quiet_until))
