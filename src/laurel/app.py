"""The ASGI application: middleware, error handlers, routers and lifespan."""

import asyncio
import gc
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute

from laurel import __version__, issuer_api, records_api
from laurel.accredible import api as accredible_api
from laurel.accredible.endpoints import public as accredible_images_router
from laurel.accredible.endpoints import router as accredible_router
from laurel.attributes.endpoints import router as attributes_router
from laurel.auth.dependencies import BEARER_SCHEME, PrincipalCache
from laurel.certifications.endpoints import router as certifications_router
from laurel.config import Settings, get_settings
from laurel.credentials.endpoints import router as credentials_router
from laurel.credentials.interaction_endpoints import router as interactions_router
from laurel.credentials.interactions import ViewBuffer
from laurel.credly import api as credly_api
from laurel.credly.endpoints import public as public_credly_router
from laurel.credly.endpoints import router as credly_router
from laurel.db import Database
from laurel.designs.endpoints import router as designs_router
from laurel.email_templates.endpoints import router as email_templates_router
from laurel.gallery.endpoints import router as gallery_router
from laurel.groups.endpoints import router as groups_router
from laurel.health.endpoints import router as health_router
from laurel.idempotency import IdempotencyMiddleware, InFlightKeys, renew_leases_periodically
from laurel.issuers.endpoints import router as issuers_router
from laurel.kit.body import describe_location
from laurel.kit.errors import (
    Conflict,
    ErrorFormat,
    LaurelError,
    MethodNotAllowed,
    NotFound,
    ValidationFailed,
)
from laurel.kit.logs import configure_logging
from laurel.kit.middleware import RequestContextMiddleware
from laurel.kit.openapi import finish_openapi
from laurel.kit.outbound import Resolver, system_resolver
from laurel.kit.periodic import write_periodically
from laurel.kit.ratelimit import RateLimiter
from laurel.kit.routing import ErrorFormats
from laurel.kit.versioning import CERTIFIER_VERSIONS
from laurel.members.endpoints import router as members_router
from laurel.oauth.endpoints import router as oauth_router
from laurel.pages.cache import PageCache
from laurel.pages.endpoints import router as pages_router
from laurel.qualifications.endpoints import router as qualifications_router
from laurel.rendering.endpoints import public as public_rendering_router
from laurel.rendering.endpoints import router as rendering_router
from laurel.rendering.pool import RenderPool
from laurel.tokens.usage import WRITE_EVERY_SECONDS, TokenUses
from laurel.vc.endpoints import public as public_vc_router
from laurel.vc.endpoints import router as vc_router
from laurel.webapp.endpoints import router as webapp_router
from laurel.webhooks.endpoints import router as webhooks_router
from laurel.worker import DeliveryWorker

log = structlog.get_logger()

DESCRIPTION = """
Laurel's issuer API, compatible with Certifier's v1 API: point a Certifier client at Laurel by
changing only its base URL and token.

Every `/v1` request needs `Authorization: Bearer <token>` and `Certifier-Version: 2022-10-26`.
Errors are `{"error": {"code", "message", "param"?}}`. Unknown request fields are ignored.
"""


async def _render_laurel_error(request: Request, error: Exception) -> JSONResponse:
    """The error in the format of the route's API family (of the path's, before routing)."""
    assert isinstance(error, LaurelError)
    error_formats: ErrorFormats = request.app.state.error_formats
    error_format = error_formats.for_scope(request.scope)
    return JSONResponse(
        error_format.body(error),
        status_code=error.status_code,
        headers=error.headers,
        media_type=error_format.media_type,
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
    """Routing's own answers (no such path, or not this method) in the caller's API's format."""
    assert isinstance(error, StarletteHTTPException)
    headers = dict(error.headers or {})
    if error.status_code != 405:
        return await _render_laurel_error(request, NotFound(headers=headers))
    # Starlette's `Allow` names the methods of the first route on the path only; a path served
    # by several routes (GET and POST /v1/groups are two) allows the methods of them all.
    headers["Allow"] = ", ".join(allowed_methods(request.app.routes, request.url.path))
    return await _render_laurel_error(request, MethodNotAllowed(headers=headers))


def allowed_methods(routes: Sequence[BaseRoute], path: str) -> list[str]:
    """The methods of the routes that serve `path` most specifically, in a stable order.

    `/v1/credentials/search` is also `/v1/credentials/{credential_id}` to the router, but the
    resource it names is the search: the most specific routes count (`_specificity`).
    """
    by_parameter_count: dict[int, set[str]] = {}
    for route in iter_route_contexts(routes):
        pattern: re.Pattern[str] | None = getattr(route, "path_regex", None)
        if route.methods and route.path and pattern is not None and pattern.match(path):
            by_parameter_count.setdefault(_specificity(route.path), set()).update(route.methods)
    methods = by_parameter_count[min(by_parameter_count)] if by_parameter_count else set()
    return sorted(methods, key=lambda method: (_METHOD_ORDER.get(method, 99), method))


def _specificity(path: str) -> int:
    """Fewer path parameters is more specific; a catch-all `{...:path}` (a family's JSON 404 for
    paths it does not serve) is the least specific of all, so it never adds its methods."""
    return path.count("{") + 1000 * path.count(":path}")


_METHOD_ORDER = {"GET": 0, "HEAD": 1, "POST": 2, "PUT": 3, "PATCH": 4, "DELETE": 5, "OPTIONS": 6}


def _finish_openapi(app: FastAPI, error_formats: ErrorFormats) -> None:
    """Complete the generated OpenAPI once (kit/openapi.py), with the bearer token's scheme."""
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish_openapi(
                build_openapi(), BEARER_SCHEME, error_formats.for_path
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None, *, resolver: Resolver | None = None) -> FastAPI:
    """The application; `resolver` answers for the names of outbound URLs (webhooks), the
    system's resolver unless given."""
    settings = settings or get_settings()
    resolver = resolver or system_resolver
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
        views: ViewBuffer = app.state.view_buffer
        token_uses: TokenUses = app.state.token_uses
        tasks = [
            asyncio.create_task(
                write_periodically(lambda: views.write(database), stop, 1.0, "views"),
                name="views",
            ),
            asyncio.create_task(
                write_periodically(
                    lambda: token_uses.write(database), stop, WRITE_EVERY_SECONDS, "token_uses"
                ),
                name="token-uses",
            ),
            asyncio.create_task(
                renew_leases_periodically(app.state.in_flight_keys, database, stop),
                name="idempotency-leases",
            ),
        ]
        if settings.run_worker_in_process:
            delivery = DeliveryWorker(database, settings, resolver=resolver)
            tasks.append(asyncio.create_task(delivery.run(stop), name="delivery-worker"))
        yield
        # Requests in flight are done (uvicorn waits for them; a render ends within its
        # budget): kill the render workers first, a stuck one must not hold the exit up.
        warming.cancel()
        await asyncio.gather(warming, return_exceptions=True)
        await render_pool.close()
        stop.set()
        await asyncio.gather(*tasks)
        await views.write(database)
        await token_uses.write(database)
        await database.dispose()

    app = FastAPI(
        title="Laurel",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.resolver = resolver
    app.state.database = Database.from_settings(settings)
    app.state.rate_limiter = RateLimiter(settings.rate_limit, settings.redis_url)
    app.state.sign_in_limiter = RateLimiter(
        settings.sign_in_rate_limit, settings.redis_url, exact=True
    )
    app.state.versions = CERTIFIER_VERSIONS
    app.state.principal_cache = PrincipalCache(settings.auth_cache_seconds)
    app.state.page_cache = PageCache(settings.page_cache_seconds)
    app.state.view_buffer = ViewBuffer()
    app.state.token_uses = TokenUses()
    app.state.in_flight_keys = InFlightKeys()
    # Started by the lifespan (or by the first render, where there is none: tests, scripts).
    app.state.render_pool = RenderPool.from_settings(settings)
    # The routes carry their family's error format; a path not routed (yet) is answered in the
    # format of the family serving its prefix, Certifier's envelope where no family does.
    error_formats = ErrorFormats(app.router.routes, default=ErrorFormat.envelope)
    app.state.error_formats = error_formats

    # Added first, so it runs inside the request context (ids, logs, the error envelope).
    app.add_middleware(
        IdempotencyMiddleware, database=app.state.database, in_flight=app.state.in_flight_keys
    )
    app.add_middleware(
        RequestContextMiddleware,
        error_formats=error_formats,
        max_body_bytes=settings.max_body_bytes,
        body_timeout_seconds=settings.body_timeout_seconds,
    )
    app.add_exception_handler(LaurelError, _render_laurel_error)
    app.add_exception_handler(RequestValidationError, _render_validation_error)
    app.add_exception_handler(StarletteHTTPException, _render_http_error)
    app.add_exception_handler(IntegrityError, _render_integrity_error)

    app.include_router(health_router)
    # The two API families, each the one router its domains are mounted through (the web app
    # will be the third): a route's guard, pagination and error format follow from its family.
    app.include_router(
        issuer_api.mount(
            designs_router,
            gallery_router,
            groups_router,
            email_templates_router,
            credentials_router,
            attributes_router,
            interactions_router,
            webhooks_router,
            vc_router,
            issuers_router,
            rendering_router,
        )
    )
    app.include_router(
        records_api.mount(members_router, certifications_router, qualifications_router)
    )
    # Open edX's badge backends, each a family of its own with its provider's guard and errors:
    # Credly-shaped (docs/openedx.md) and Accredible-shaped (docs/openedx.md (Accredible)).
    app.include_router(credly_api.mount(credly_router))
    app.include_router(accredible_api.mount(accredible_router, accredible_images_router))
    # Public pages and documents (no token), and the OAuth server: outside the families.
    app.include_router(pages_router)
    app.include_router(public_credly_router)
    app.include_router(public_rendering_router)
    app.include_router(public_vc_router)
    app.include_router(oauth_router)
    app.include_router(webapp_router, include_in_schema=False)
    _finish_openapi(app, error_formats)
    return app
