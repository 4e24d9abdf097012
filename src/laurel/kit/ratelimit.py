"""Per-token rate limits, with the `limits` library.

In memory for one process; in Redis (`LAUREL_REDIS_URL`) when several processes serve one
database, so that they share each token's budget. `limits` is maintained, speaks both storages
behind one interface, and implements both strategies we use: the sliding-window counter for API
tokens (two counters per key, cheap on the hot path, approximate: a burst that straddles two
windows may pass up to twice the limit), and the moving window (`exact=True`: one timestamp per
hit, exact) for sign-in throttling, where "10 attempts a minute" must mean ten.
"""

import math
import time
from dataclasses import dataclass

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import (
    MovingWindowRateLimiter,
    SlidingWindowCounterRateLimiter,
)
from limits.aio.strategies import (
    RateLimiter as Strategy,
)
from limits.errors import StorageError
from limits.storage import storage_from_string

log = structlog.get_logger()


@dataclass(frozen=True)
class RateLimitDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_after: int

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_after),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(self.reset_after, 1))
        return headers


class RateLimiter:
    def __init__(self, rate: str, redis_url: str | None = None, *, exact: bool = False) -> None:
        self.item: RateLimitItem = parse(rate)
        storage_uri = f"async+{redis_url}" if redis_url else "async+memory://"
        options: dict[str, str | bool] = {"wrap_exceptions": True}
        if redis_url:
            options["implementation"] = "redispy"
        storage = storage_from_string(storage_uri, **options)
        assert isinstance(storage, Storage)
        self.storage = storage
        self.strategy: Strategy = (
            MovingWindowRateLimiter(storage) if exact else SlidingWindowCounterRateLimiter(storage)
        )

    async def hit(self, key: str) -> RateLimitDecision:
        try:
            allowed = await self.strategy.hit(self.item, key)
            stats = await self.strategy.get_window_stats(self.item, key)
        except StorageError:
            # The limiter guards capacity; losing Redis should not take the API down with it.
            log.warning("rate_limit_storage_unavailable", exc_info=True)
            return RateLimitDecision(True, self.item.amount, self.item.amount, 0)
        reset_after = max(0, math.ceil(stats.reset_time - time.time()))
        return RateLimitDecision(allowed, self.item.amount, stats.remaining, reset_after)
