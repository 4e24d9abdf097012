"""CSRF protection for every form of the web app.

Signed in: each session has its own random token (`WebSession.csrf_token`), put in every form
and compared on every POST. The sign-in form comes before any session, so it uses a double
submit: a random value in a SameSite=Lax, HttpOnly cookie and the same value in the form; a
page on another site can neither read the cookie nor set it, so it cannot forge the pair.
"""

import hmac
import secrets

from fastapi import Request, Response
from starlette.datastructures import FormData

from laurel.kit.errors import Forbidden

CSRF_FIELD = "csrf_token"
SIGN_IN_COOKIE = "laurel_app_sign_in"


class CsrfRefused(Forbidden):
    code = "csrf_refused"
    default_message = (
        "This form has expired or did not come from Laurel. Reload the page and try again."
    )


def check_form_token(form: FormData, expected: str | None) -> None:
    given = form.get(CSRF_FIELD)
    if not expected or not isinstance(given, str) or not hmac.compare_digest(given, expected):
        raise CsrfRefused()


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(32)


def sign_in_token_of(request: Request) -> str | None:
    return request.cookies.get(SIGN_IN_COOKIE)


def set_sign_in_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        SIGN_IN_COOKIE, token, path="/app", httponly=True, samesite="lax", secure=secure
    )
