"""The ASGI application: middleware, error handlers, routers and lifespan."""

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from laurel import __version__
from laurel.attributes.endpoints import router as attributes_router
from laurel.auth.dependencies import BEARER_SCHEME, PrincipalCache
from laurel.certifications.endpoints import router as certifications_router
from laurel.config import Settings, get_settings
from laurel.credentials.endpoints import router as credentials_router
from laurel.credentials.interactions import ViewBuffer, write_views_periodically
from laurel.db import Database
from laurel.delivery.worker import DeliveryWorker
from laurel.designs.endpoints import router as designs_router
from laurel.groups.endpoints import router as groups_router
from laurel.health.endpoints import router as health_router
from laurel.issuers.endpoints import router as issuers_router
from laurel.kit.body import describe_location
from laurel.kit.errors import Conflict, LaurelError, MethodNotAllowed, NotFound, ValidationFailed
from laurel.kit.idempotency import IdempotencyMiddleware
from laurel.kit.logs import configure_logging
from laurel.kit.middleware import RequestContextMiddleware
from laurel.kit.ratelimit import RateLimiter
from laurel.kit.versioning import CERTIFIER_VERSIONS
from laurel.members.endpoints import router as members_router
from laurel.oauth.endpoints import router as oauth_router
from laurel.pages.cache import PageCache
from laurel.pages.endpoints import router as pages_router
from laurel.qualifications.endpoints import router as qualifications_router
from laurel.rendering.endpoints import public as public_rendering_router
from laurel.rendering.endpoints import router as rendering_router
from laurel.rendering.pool import RenderPool
from laurel.vc.endpoints import public as public_router
from laurel.vc.endpoints import router as vc_router
from laurel.webhooks.endpoints import router as webhooks_router

log = structlog.get_logger()

DESCRIPTION = """
Laurel's issuer API, compatible with Certifier's v1 API: point a Certifier client at Laurel by
changing only its base URL and token.

Every `/v1` request needs `Authorization: Bearer <token>` and `Certifier-Version: 2022-10-26`.
Errors are `{"error": {"code", "message", "param"?}}`. Unknown request fields are ignored.
"""


async def _render_laurel_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, LaurelError)
    body, media_type = error.rendered_for(request.url.path)
    return JSONResponse(
        body, status_code=error.status_code, headers=error.headers, media_type=media_type
    )


async def _render_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0]
    location = tuple(first.get("loc", ()))
    param = describe_location(location[1:] if location[:1] in (("query",), ("path",)) else location)
    failure = ValidationFailed(f"{param}: {first.get('msg')}", param=param)
    return await _render_laurel_error(request, failure)


async def _render_integrity_error(request: Request, error: Exception) -> JSONResponse:
    # Reached only when two requests race for the same unique value; the loser is told so.
    log.warning("integrity_conflict", error=str(error).splitlines()[0])
    conflict = Conflict("The request conflicts with a change made at the same time; retry it")
    return await _render_laurel_error(request, conflict)


async def _render_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    mapped: LaurelError = MethodNotAllowed() if error.status_code == 405 else NotFound()
    return await _render_laurel_error(request, mapped)


def _document_bearer_auth(app: FastAPI) -> None:
    """Declare the bearer token in OpenAPI; the guard reads the header itself (see auth)."""
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build_openapi()
            schema.setdefault("components", {})["securitySchemes"] = BEARER_SCHEME
            for path, operations in schema["paths"].items():
                if path.startswith("/v1/"):
                    for operation in operations.values():
                        operation["security"] = [{"BearerAuth": []}]
        return app.openapi_schema or build_openapi()

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Everything allocated at start-up lives for the whole process: move it out of the
        # collector's sight, so that collections (and their pauses) stay short under load.
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 50, 100)
        stop = asyncio.Event()
        database = app.state.database
        render_pool: RenderPool = app.state.render_pool
        # Warm the render workers in the background: serving starts at once, and the first
        # renders find their processes started (or wait for them, as they would have).
        warming = asyncio.create_task(render_pool.start(), name="render-pool")
        tasks = [
            asyncio.create_task(
                write_views_periodically(app.state.view_buffer, database, stop), name="views"
            )
        ]
        if settings.run_worker_in_process:
            delivery = DeliveryWorker(database, settings)
            tasks.append(asyncio.create_task(delivery.run(stop), name="delivery-worker"))
        yield
        # Requests in flight are done (uvicorn waits for them; a render ends within its
        # budget): kill the render workers first, a stuck one must not hold the exit up.
        warming.cancel()
        await asyncio.gather(warming, return_exceptions=True)
        await render_pool.close()
        stop.set()
        await asyncio.gather(*tasks)
        await app.state.view_buffer.write(database)
        await database.dispose()

    app = FastAPI(
        title="Laurel",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = Database.from_settings(settings)
    app.state.rate_limiter = RateLimiter(settings.rate_limit, settings.redis_url)
    app.state.sign_in_limiter = RateLimiter(settings.sign_in_rate_limit, settings.redis_url)
    app.state.versions = CERTIFIER_VERSIONS
    app.state.principal_cache = PrincipalCache(settings.auth_cache_seconds)
    app.state.page_cache = PageCache(settings.page_cache_seconds)
    app.state.view_buffer = ViewBuffer()
    # Started by the lifespan (or by the first render, where there is none: tests, scripts).
    app.state.render_pool = RenderPool.from_settings(settings)

    # Added first, so it runs inside the request context (ids, logs, the error envelope).
    app.add_middleware(IdempotencyMiddleware, database=app.state.database)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_exception_handler(LaurelError, _render_laurel_error)
    app.add_exception_handler(RequestValidationError, _render_validation_error)
    app.add_exception_handler(StarletteHTTPException, _render_http_error)
    app.add_exception_handler(IntegrityError, _render_integrity_error)

    app.include_router(health_router)
    app.include_router(designs_router)
    app.include_router(groups_router)
    app.include_router(credentials_router)
    app.include_router(attributes_router)
    app.include_router(webhooks_router)
    app.include_router(vc_router)
    app.include_router(issuers_router)
    app.include_router(pages_router)
    app.include_router(rendering_router)
    app.include_router(public_rendering_router)
    app.include_router(public_router)
    app.include_router(members_router)
    app.include_router(certifications_router)
    app.include_router(qualifications_router)
    app.include_router(oauth_router)
    _document_bearer_auth(app)
    return app
