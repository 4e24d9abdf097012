"""Who is calling: the bearer token's organization, as typed dependencies.

Order matters and is Certifier's: the token is checked first (401), then the rate limit (429),
then the `Certifier-Version` header (400). Routers add `API_GUARDS`; endpoints that need to know
the caller take `CurrentPrincipal`, which is the same, cached, dependency.
"""

from dataclasses import dataclass
from typing import Annotated

from cachetools import TTLCache
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.db import DbSession
from laurel.kit.crypto import hash_token
from laurel.kit.errors import RateLimited, Unauthorized
from laurel.kit.ratelimit import RateLimiter
from laurel.kit.versioning import require_api_version
from laurel.models import Plan
from laurel.tokens.service import find_active_token

_bearer = HTTPBearer(
    auto_error=False,
    description="An access token from `laurel tokens create`, as `Authorization: Bearer <token>`.",
)


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


async def _authenticate(
    request: Request,
    session: AsyncSession,
    credentials: HTTPAuthorizationCredentials | None,
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise Unauthorized()
    cache: PrincipalCache = request.app.state.principal_cache
    token_hash = hash_token(credentials.credentials)
    principal = cache.get(token_hash)
    if principal is None:
        token = await find_active_token(session, token_hash)
        if token is None:
            raise Unauthorized()
        principal = Principal(token.organization_id, token.plan, token.token_id)
        cache.put(token_hash, principal)
    return principal


async def _enforce_rate_limit(request: Request, principal: Principal) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    decision = await limiter.hit(principal.token_id)
    request.state.response_headers.update(decision.headers())
    if not decision.allowed:
        raise RateLimited()


async def guard_api_request(
    request: Request,
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Authenticate, rate-limit and pin the API version, in that order, once per request.

    One dependency rather than three: FastAPI's per-dependency overhead showed up on the
    hottest routes (docs/benchmarks.md).
    """
    principal = await _authenticate(request, session, credentials)
    await _enforce_rate_limit(request, principal)
    await require_api_version(request)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(guard_api_request)]

API_GUARDS = [Depends(guard_api_request)]
