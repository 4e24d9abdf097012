"""API families: a route's error format follows from the family it is declared in."""

import pytest
from fastapi import APIRouter, FastAPI

from laurel.kit.errors import ErrorFormat, NotFound
from laurel.kit.routing import ErrorFormats, FamilyRoute, mount_family, static_prefix


class EnvelopeRoute(FamilyRoute):
    error_format = ErrorFormat.envelope


class ProblemRoute(FamilyRoute):
    error_format = ErrorFormat.problem_details


def _router(route_class: type[FamilyRoute], *paths: str) -> APIRouter:
    router = APIRouter(route_class=route_class)
    for path in paths:
        router.add_api_route(path, _missing, methods=["GET"])
    return router


async def _missing() -> None:
    raise NotFound()


def _app(*routers: APIRouter) -> tuple[FastAPI, ErrorFormats]:
    app = FastAPI()
    for router in routers:
        app.include_router(router)
    return app, ErrorFormats(app.router.routes, default=ErrorFormat.envelope)


def test_a_static_prefix_ends_before_the_first_parameter() -> None:
    assert static_prefix("/v1/organizations/{organization_id}/job-roles") == "/v1/organizations"
    assert static_prefix("/v1/credentials/search") == "/v1/credentials/search"
    assert static_prefix("/v1/credentials/{credential_id}/badge.{image_format}") == (
        "/v1/credentials"
    )


def test_a_path_takes_the_format_of_the_family_owning_its_longest_prefix() -> None:
    _, formats = _app(
        mount_family(ProblemRoute, _router(ProblemRoute, "/v1/organizations/{id}/roles")),
        mount_family(EnvelopeRoute, _router(EnvelopeRoute, "/v1/designs/{id}")),
        _router(ProblemRoute, "/v1/designs/special/{id}"),
    )
    assert formats.for_path("/v1/organizations") is ErrorFormat.problem_details
    assert formats.for_path("/v1/organizations/x/no-such-thing") is ErrorFormat.problem_details
    assert formats.for_path("/v1/designs/x") is ErrorFormat.envelope
    assert formats.for_path("/v1/designs/special/x") is ErrorFormat.problem_details
    # Only whole segments count: /v1/organizationsX is nobody's.
    assert formats.for_path("/v1/organizationsX/y") is ErrorFormat.envelope
    assert formats.for_path("/elsewhere") is ErrorFormat.envelope


def test_two_families_serving_one_prefix_are_refused() -> None:
    _, formats = _app(
        _router(ProblemRoute, "/v1/things/{id}"), _router(EnvelopeRoute, "/v1/things/{id}/x")
    )
    with pytest.raises(ValueError, match="/v1/things"):
        formats.for_path("/v1/things/1")


def test_a_family_refuses_to_mount_a_route_of_another() -> None:
    with pytest.raises(TypeError, match="/v1/designs"):
        mount_family(ProblemRoute, _router(EnvelopeRoute, "/v1/designs"))
    plain = APIRouter()
    plain.add_api_route("/v1/plain", _missing, methods=["GET"])
    with pytest.raises(TypeError, match="/v1/plain"):
        mount_family(ProblemRoute, plain)
