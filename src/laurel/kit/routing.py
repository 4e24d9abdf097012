"""API families: routers whose routes carry their family's error format.

An API family (the Certifier-compatible issuer API, the COSMIC-compatible records API) is one
route class with an `error_format`, and the domain routers built with it. A route's errors are
written in the format of the route class it was declared with, so the format follows from where
a route is mounted, never from a list of paths.

An error raised before routing (no such path, a body too large, an `Idempotency-Key` refused)
has no route yet: `ErrorFormats` answers it from the static path prefixes of the mounted
routes, read from the application's routes the first time it is asked. Two families serving
the same prefix is refused then, so the answer is never ambiguous.
"""

from collections.abc import Sequence
from typing import ClassVar

from fastapi import APIRouter
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute
from starlette.types import Scope

from laurel.kit.errors import ErrorFormat


class FamilyRoute(APIRoute):
    """A route of an API family; subclasses name the family's error format."""

    error_format: ClassVar[ErrorFormat]


def route_error_format(route: object) -> ErrorFormat | None:
    """The error format `route` was declared with; None outside the API families."""
    return route.error_format if isinstance(route, FamilyRoute) else None


def mount_family(route_class: type[FamilyRoute], *routers: APIRouter) -> APIRouter:
    """One router holding a family's domain routers; a route of another family is refused."""
    family = APIRouter(route_class=route_class)
    for router in routers:
        for context in iter_route_contexts(router.routes):
            if not isinstance(context.original_route, route_class):
                raise TypeError(
                    f"{context.path} is not a {route_class.__name__}: declare it on its "
                    "family's router"
                )
        family.include_router(router)
    return family


def static_prefix(path: str) -> str:
    """`/v1/organizations/{organization_id}/job-roles` -> `/v1/organizations`."""
    segments = []
    for segment in path.strip("/").split("/"):
        if "{" in segment:
            break
        segments.append(segment)
    return "/" + "/".join(segments)


class ErrorFormats:
    """Which error format a request is answered in: its route's, or its path prefix's owner's.

    `routes` is the application's live list of routes; the table of prefixes is built from it
    on first use, when every router has been mounted.
    """

    def __init__(self, routes: Sequence[BaseRoute], default: ErrorFormat) -> None:
        self._routes = routes
        self.default = default
        self._owners: dict[str, ErrorFormat] | None = None

    def for_scope(self, scope: Scope) -> ErrorFormat:
        route = scope.get("route")
        if route is not None:
            return route_error_format(route) or self.default
        return self.for_path(scope["path"])

    def for_path(self, path: str) -> ErrorFormat:
        """The format of the family whose routes own the longest prefix of `path`."""
        owners = self._owners if self._owners is not None else self._prefix_owners()
        segments = path.rstrip("/").split("/")
        for end in range(len(segments), 1, -1):
            owner = owners.get("/".join(segments[:end]))
            if owner is not None:
                return owner
        return self.default

    def _prefix_owners(self) -> dict[str, ErrorFormat]:
        owners: dict[str, ErrorFormat] = {}
        for context in iter_route_contexts(self._routes):
            error_format = route_error_format(context.original_route)
            path = context.path
            if error_format is None or path is None:
                continue
            prefix = static_prefix(path)
            if owners.setdefault(prefix, error_format) is not error_format:
                raise ValueError(f"two API families serve paths under {prefix}")
        self._owners = owners
        return owners
