"""Jinja2 for the public pages: autoescaped templates, a nonce per page, and content negotiation.

Every value reaches the HTML through autoescaping (text and attribute values alike), and URLs that
came from an organization (issuer site, logo, learning event) are shown only when they are plain
http(s) URLs, so a `javascript:` link can never be stored into a page.
"""

from datetime import date

from laurel.kit.html import HtmlPages


def long_date(value: date) -> str:
    """7 March 2025: unambiguous wherever the reader lives."""
    return f"{value.day} {value:%B %Y}"


def web_url(value: str | None) -> str | None:
    return value if value and value.lower().startswith(("https://", "http://")) else None


HTML_TYPES = ("text/html", "application/xhtml+xml")
JSON_TYPES = ("application/json", "application/ld+json", "application/vc+ld+json", "application/vc")


def prefers_html(accept: str) -> bool:
    """Whether the client asks for HTML over JSON, as browsers do (`text/html,...,*/*;q=0.8`).

    The JSON credential stays the answer to everything else: `*/*`, no header, JSON-LD tools.
    """
    html: tuple[float, int] | None = None
    json: tuple[float, int] | None = None
    for position, part in enumerate(accept.lower().split(",")):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        # Higher quality wins; on a tie, the type listed first.
        rank = (quality, -position)
        if media in HTML_TYPES and quality > 0 and (html is None or rank > html):
            html = rank
        elif media in JSON_TYPES and quality > 0 and (json is None or rank > json):
            json = rank
    return html is not None and (json is None or html > json)


def page_headers(nonce: str) -> dict[str, str]:
    # Only our own inline style and script (by nonce) run; images may come from the issuer's
    # site (its logo); the page is never framed.
    policy = (
        "default-src 'none'; "
        f"style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
        "img-src 'self' https: data:; connect-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cache-Control": "no-cache",
    }


render_page = HtmlPages(
    "laurel.pages", page_headers, {"long_date": long_date, "web_url": web_url}
).render
