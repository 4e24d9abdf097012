"""Jinja2 for the web app: the public pages' setup (autoescaping, a nonce per page, the same CSP),
with the app's own templates and stylesheet."""

from datetime import datetime
from functools import lru_cache
from importlib.resources import files

from laurel.kit.html import HtmlPages
from laurel.pages.templating import long_date, page_headers, web_url


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


def moment(value: datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC"


render = HtmlPages(
    "laurel.webapp", app_headers, {"long_date": long_date, "web_url": web_url, "moment": moment}
).render
