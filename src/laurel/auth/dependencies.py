"""Who is calling with an organization's access token, and the steps every guard shares.

The guards themselves belong to the API families (`issuer_api.Api`, `records_api.RecordsRead`,
...); they are built from these: the bearer token, its owner, the rate limit.
"""

from dataclasses import dataclass

from cachetools import TTLCache
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.kit.crypto import hash_token
from laurel.kit.errors import RateLimited, Unauthorized
from laurel.kit.ratelimit import RateLimiter
from laurel.models import Plan
from laurel.tokens.service import find_active_token
from laurel.tokens.usage import TokenUses

BEARER_SCHEME = {
    "BearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An access token from `laurel tokens create`.",
    }
}


@dataclass(frozen=True)
class Principal:
    organization_id: str
    plan: Plan
    token_id: str


class PrincipalCache:
    """Principals of recently checked tokens, by token hash, for `auth_cache_seconds`.

    Checking a token is a database round trip on every request; trusting a known token for a few
    seconds removes it from the hot path. cachetools' TTLCache bounds both age and size.
    """

    def __init__(self, ttl_seconds: float, max_tokens: int = 10_000) -> None:
        self._cache: TTLCache[str, Principal] | None = (
            TTLCache(max_tokens, ttl_seconds) if ttl_seconds > 0 else None
        )

    def get(self, token_hash: str) -> Principal | None:
        return None if self._cache is None else self._cache.get(token_hash)

    def put(self, token_hash: str, principal: Principal) -> None:
        if self._cache is not None:
            self._cache[token_hash] = principal


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def authenticate_organization(
    request: Request, session: AsyncSession, token: str | None
) -> Principal:
    """The organization an access token belongs to; 401 for no token, or not an active one."""
    if token is None:
        raise Unauthorized()
    cache: PrincipalCache = request.app.state.principal_cache
    token_hash = hash_token(token)
    principal = cache.get(token_hash)
    if principal is None:
        active = await find_active_token(session, token_hash)
        if active is None:
            raise Unauthorized()
        principal = Principal(active.organization_id, active.plan, active.token_id)
        cache.put(token_hash, principal)
    # Here rather than in the lookup: a token served from the cache is used all the same.
    uses: TokenUses = request.app.state.token_uses
    uses.add(principal.token_id)
    return principal


async def enforce_rate_limit(request: Request, token_id: str) -> None:
    """Count the request against its token's limit; 429 once the limit is reached."""
    limiter: RateLimiter = request.app.state.rate_limiter
    decision = await limiter.hit(token_id)
    request.state.response_headers.update(decision.headers())
    if not decision.allowed:
        raise RateLimited()
