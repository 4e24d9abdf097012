"""Date-pinned API versions, after Stripe's design.

Endpoints and services know only the newest ("head") shapes. Each incompatible change is one
`VersionChange` listed under the version date that introduced it; a request pinned to an older
version is upgraded through every later change (oldest first) and its response downgraded back
through them (newest first). Routes are named (`name="groups.create"`) and changes say which
route names they touch, so an unaffected route pays nothing.
"""

from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute

from laurel.kit.errors import InvalidVersion, MissingVersion

VERSION_HEADER = "Certifier-Version"

JSON = Any


class VersionChange:
    """One incompatible change. Subclasses override the transforms for the routes they touch."""

    description: str = ""
    routes: frozenset[str] = frozenset()

    def upgrade_request(self, route: str, body: JSON) -> JSON:
        """Turn a request body of the version before this change into this version's shape."""
        return body

    def downgrade_response(self, route: str, body: JSON) -> JSON:
        """Turn a response body of this version's shape into the version before's."""
        return body


@dataclass(frozen=True)
class Version:
    date: str
    changes: Sequence[VersionChange] = field(default_factory=tuple)


class VersionBundle:
    """The supported versions, newest first."""

    def __init__(self, *versions: Version) -> None:
        dates = [version.date for version in versions]
        if dates != sorted(dates, reverse=True) or len(set(dates)) != len(dates):
            raise ValueError("versions must be listed newest first, each once")
        self.versions = versions
        self.head = versions[0].date
        self._changes_after = {
            version.date: [change for newer in versions[:index] for change in newer.changes][::-1]
            for index, version in enumerate(versions)
        }

    @property
    def dates(self) -> list[str]:
        return [version.date for version in self.versions]

    def resolve(self, header_value: str | None) -> str:
        if header_value is None or not header_value.strip():
            raise MissingVersion()
        value = header_value.strip()
        if value not in self._changes_after:
            raise InvalidVersion(
                f"Certifier-Version '{value[:40]}' is not supported; use one of: "
                + ", ".join(self.dates),
                param=VERSION_HEADER,
            )
        return value

    def _changes(self, version: str, route: str) -> list[VersionChange]:
        return [change for change in self._changes_after[version] if route in change.routes]

    def upgrade_request(self, version: str, route: str, body: JSON) -> JSON:
        for change in self._changes(version, route):
            body = change.upgrade_request(route, body)
        return body

    def downgrade_response(self, version: str, route: str, body: JSON) -> JSON:
        for change in reversed(self._changes(version, route)):
            body = change.downgrade_response(route, body)
        return body

    def touches_response(self, version: str, route: str) -> bool:
        return bool(self._changes(version, route))


# The version table. 2022-10-26 is Certifier's only version so far, so it is also the head.
# A new version goes on top: Version("2027-01-15", [SomeChange()]).
CERTIFIER_VERSIONS = VersionBundle(Version("2022-10-26"))


async def require_api_version(request: Request) -> str:
    """Pin the request to its `Certifier-Version` (required on every API route) and return it."""
    bundle: VersionBundle = request.app.state.versions
    version = bundle.resolve(request.headers.get(VERSION_HEADER))
    request.state.api_version = version
    return version


class VersionedRoute(APIRoute):
    """Downgrades a named route's successful JSON responses for clients pinned to older versions."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        route_name = self.name

        async def handle_versioned(request: Request) -> Response:
            response = await handle(request)
            version: str | None = getattr(request.state, "api_version", None)
            bundle: VersionBundle = request.app.state.versions
            if (
                version is None
                or not 200 <= response.status_code < 300
                or not bundle.touches_response(version, route_name)
                or not response.body
            ):
                return response
            body = bundle.downgrade_response(version, route_name, orjson.loads(response.body))
            response.body = orjson.dumps(body)
            response.headers["content-length"] = str(len(response.body))
            return response

        return handle_versioned
