"""Server-rendered HTML: one Jinja2 set-up for every package's templates, and pages rendered
with a fresh nonce that the response's Content-Security-Policy names.

Autoescaping and StrictUndefined everywhere: every value reaches the HTML escaped, and a name
missing from a template's context is an error, not an empty string.
"""

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

Headers = Callable[[str], dict[str, str]]


def template_environment(
    package: str, filters: Mapping[str, Callable[..., Any]] | None = None
) -> Environment:
    """The templates in `package`'s `templates/` folder."""
    environment = Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(filters or {})
    return environment


class HtmlPages:
    """A package's page templates, each response with a nonce of its own and the headers
    `headers(nonce)` gives (the policy that lets only that nonce's style and script run)."""

    def __init__(
        self,
        package: str,
        headers: Headers,
        filters: Mapping[str, Callable[..., Any]] | None = None,
    ) -> None:
        self._environment = template_environment(package, filters)
        self._headers = headers

    def render(
        self,
        template: str,
        context: dict[str, Any],
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        nonce = secrets.token_urlsafe(16)
        html = self._environment.get_template(template).render(nonce=nonce, **context)
        return HTMLResponse(
            html, status_code=status_code, headers={**self._headers(nonce), **(headers or {})}
        )
