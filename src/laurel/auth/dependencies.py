"""Who is calling: the bearer token's organization, as typed dependencies.

Order matters and is Certifier's: the token is checked first (401), then the rate limit (429),
then the `Certifier-Version` header (400), all in `guard_api_request`.
"""

from dataclasses import dataclass
from typing import Annotated

from cachetools import TTLCache
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from laurel.config import Settings
from laurel.db import DbSession
from laurel.kit.crypto import hash_token
from laurel.kit.errors import RateLimited, Unauthorized
from laurel.kit.ratelimit import RateLimiter
from laurel.kit.versioning import require_api_version
from laurel.models import Plan
from laurel.tokens.service import find_active_token

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


async def _authenticate(request: Request, session: AsyncSession, token: str | None) -> Principal:
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
    return principal


async def enforce_rate_limit(request: Request, token_id: str) -> None:
    """Count the request against its token's limit; 429 once the limit is reached."""
    limiter: RateLimiter = request.app.state.rate_limiter
    decision = await limiter.hit(token_id)
    request.state.response_headers.update(decision.headers())
    if not decision.allowed:
        raise RateLimited()


@dataclass(frozen=True)
class ApiRequest:
    """What an endpoint of the v1 API works with: the caller and the request's transaction."""

    principal: Principal
    session: AsyncSession
    settings: Settings


async def guard_api_request(request: Request, session: DbSession) -> ApiRequest:
    """Authenticate, rate-limit and pin the API version, in that order, once per request.

    Endpoints declare this one dependency rather than a chain (token, session, limit, version):
    FastAPI walks every declared dependency's sub-dependencies on each request, cache or not,
    and that walk was a third of the hottest route's time (docs/benchmarks.md).
    """
    principal = await _authenticate(request, session, bearer_token(request))
    await enforce_rate_limit(request, principal.token_id)
    await require_api_version(request)
    return ApiRequest(principal, session, request.app.state.settings)


# Every v1 endpoint takes `api: Api`; tests/test_auth_everywhere.py checks that none forgets.
Api = Annotated[ApiRequest, Depends(guard_api_request)]
