"""The web app's router machinery: who is signed in (a dependency), CSRF on every POST, and
errors rendered as HTML pages rather than the APIs' JSON."""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import structlog
from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from laurel.auth.users import Caller
from laurel.config import Settings
from laurel.db import DbSession
from laurel.kit.body import describe_location, validation_failed
from laurel.kit.errors import LaurelError
from laurel.kit.timestamps import utc_now
from laurel.webapp.csrf import check_form_token
from laurel.webapp.rendering import render
from laurel.webapp.service import SignInRequired, Staff, caller_of, staff_of
from laurel.webapp.sessions import SESSION_COOKIE, Timeouts, find_session

log = structlog.get_logger()
Model = TypeVar("Model", bound=BaseModel)


class WebAppRoute(APIRoute):
    """A route whose errors are pages: a missing session goes to sign-in and comes back, every
    other LaurelError is an HTML page with its status, never the APIs' JSON envelope."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return redirect_to_sign_in(request)
            except LaurelError as error:
                return error_page(error.status_code, error.message, error.headers)
            except RequestValidationError as error:
                first = error.errors()[0]
                field = describe_location(tuple(first.get("loc", ()))[1:])
                return error_page(400, f"{field}: {first.get('msg')}")

        return handle


def redirect_to_sign_in(request: Request) -> Response:
    # Only a page a browser asked for is come back to; after a POST, the home page.
    back = request.url.path
    if request.method == "GET" and request.url.query:
        back += f"?{request.url.query}"
    target = back if request.method == "GET" else "/app"
    return RedirectResponse(f"/app/sign-in?next={quote(target, safe='')}", status_code=303)


def error_page(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    titles = {
        400: "That did not work",
        403: "Not allowed",
        404: "Not found",
        409: "Not possible now",
        429: "Too many attempts",
    }
    context = {"title": titles.get(status, "Something went wrong"), "message": message}
    return render("error.html", context, status_code=status, headers=headers)


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def form_fields(request: Request) -> dict[str, str]:
    """The form's text fields (a browser's urlencoded POST); files are not taken here."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def parsed(model: type[Model], form: dict[str, str], **fixed: object) -> Model:
    """The form as `model`; empty fields are left out (a browser sends every input)."""
    values: dict[str, object] = {key: value for key, value in form.items() if value.strip()}
    values.pop("csrf_token", None)
    try:
        return model.model_validate({**values, **fixed})
    except ValidationError as error:
        raise validation_failed(error) from None


def form_of(model: type[Model]) -> Any:
    """A dependency: the POSTed form read into `model`, one of the services' own request
    models, so a bad field is the same 400 naming it as on the APIs."""

    async def read(request: Request) -> Model:
        return parsed(model, await form_fields(request))

    return Depends(read)


async def signed_in(request: Request, session: DbSession) -> Staff:
    """The signed-in person, in their chosen organization; every POST must carry the session's
    CSRF token (403 without it)."""
    web_session = await find_session(
        session,
        request.cookies.get(SESSION_COOKIE),
        Timeouts.of(settings_of(request)),
        utc_now(),
    )
    if web_session is None:
        raise SignInRequired()
    if request.method == "POST":
        check_form_token(await request.form(), web_session.csrf_token)
    return await staff_of(session, web_session, client_ip(request))


SignedIn = Annotated[Staff, Depends(signed_in)]


async def _records_caller(session: DbSession, staff: SignedIn) -> Caller:
    return await caller_of(session, staff)


# The signed-in person as the records services know a caller: the same memberships a records
# API token is read from, limited to the organization chosen.
RecordsCaller = Annotated[Caller, Depends(_records_caller)]
