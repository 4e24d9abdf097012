"""Jinja2 for the web app: the public pages' setup (autoescaping, a nonce per page, the same CSP),
with the app's own templates and stylesheet."""

import secrets
from functools import lru_cache
from importlib.resources import files
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from laurel.pages.templating import long_date, page_headers, web_url

_environment = Environment(
    loader=PackageLoader("laurel.webapp", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["long_date"] = long_date
_environment.filters["web_url"] = web_url
_environment.filters["moment"] = lambda value: f"{value:%Y-%m-%d %H:%M} UTC"


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return files("laurel.webapp").joinpath("static/app.css").read_text()


def app_headers(nonce: str) -> dict[str, str]:
    """The public pages' policy, plus the app's own stylesheet from this origin; never cached,
    since every page is one person's."""
    headers = page_headers(nonce)
    headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
        "style-src ", "style-src 'self' ", 1
    )
    headers["Cache-Control"] = "no-store"
    return headers


def render(
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    html = _environment.get_template(template).render(nonce=nonce, **context)
    return HTMLResponse(
        html, status_code=status_code, headers={**app_headers(nonce), **(headers or {})}
    )
