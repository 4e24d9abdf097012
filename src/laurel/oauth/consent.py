"""The sign-in and consent page, and the signed token that carries the request through it.

The form carries the authorization request as a short-lived HMAC-signed token instead of loose
hidden fields, so nothing between the page and the POST (a user, a script, another site) can
change the client, redirect URI, scope or PKCE challenge the user saw; the POST re-validates it
all anyway. The page is plain HTML: no script, labelled fields, and it refuses to be framed.
"""

import base64
import hashlib
import hmac
import time
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qsl, urlencode

REQUEST_TOKEN_SECONDS = 10 * 60

# Framing would allow clickjacking the Approve button; caches must never keep the page. No
# `form-action`: Chrome and Safari apply it to the redirect that follows the form's POST too,
# which would block the way back to the app's redirect URI (w3c/webappsec-csp#8).
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def _mac(secret_key: str, payload: bytes) -> bytes:
    # A key of its own, so that this MAC can never be confused with another use of the secret.
    key = hashlib.sha256(b"laurel/oauth-consent/v1:" + secret_key.encode()).digest()
    return hmac.new(key, payload, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_request(secret_key: str, params: list[tuple[str, str]], now: float | None = None) -> str:
    """The authorization request's parameters, with an expiry, signed."""
    expires = int((now or time.time()) + REQUEST_TOKEN_SECONDS)
    payload = urlencode([("exp", str(expires)), *params]).encode()
    return f"{_b64(payload)}.{_b64(_mac(secret_key, payload))}"


def open_request(
    secret_keys: Sequence[str], token: str, now: float | None = None
) -> list[tuple[str, str]]:
    """The parameters of a token this server signed (with any of the secret keys) and that has
    not expired; else ValueError."""
    encoded, _, signature = token.partition(".")
    payload = _unb64(encoded)
    given = _unb64(signature)
    if not any(hmac.compare_digest(given, _mac(key, payload)) for key in secret_keys):
        raise ValueError("bad signature")
    params = parse_qsl(payload.decode(), keep_blank_values=True)
    if not params or params[0][0] != "exp" or int(params[0][1]) < (now or time.time()):
        raise ValueError("expired")
    return params[1:]


@dataclass(frozen=True)
class ConsentPage:
    app_name: str
    api_scopes: list[str]
    request_token: str
    action: str
    email: str = ""
    message: str = ""


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to Laurel: {app}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}
label{{display:block;margin-top:1rem}}input{{width:100%;padding:.4rem;font-size:1rem}}
button{{margin:1.5rem .5rem 0 0;padding:.5rem 1rem;font-size:1rem}}</style>
</head>
<body>
<main>
<h1>Sign in to Laurel</h1>
<p><strong>{app}</strong> asks to use your Laurel account.</p>
{message}
<form method="post" action="{action}">
<input type="hidden" name="request" value="{token}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" value="{email}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<h2>It will be able to</h2>
{scopes}
<p>It acts only within what your memberships allow.</p>
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</form>
</main>
</body>
</html>
"""


def render_consent_page(page: ConsentPage) -> str:
    scopes = "".join(f"<li>{escape(scope)}</li>" for scope in page.api_scopes)
    message = f'<p role="alert">{escape(page.message)}</p>' if page.message else ""
    return _PAGE.format(
        app=escape(page.app_name),
        message=message,
        action=escape(page.action),
        token=escape(page.request_token),
        email=escape(page.email),
        scopes=f"<ul>{scopes}</ul>" if scopes else "<p>No API access: sign-in only.</p>",
    )


def render_error_page(description: str) -> str:
    """For requests that cannot be sent back to the app: unknown client, unregistered URI."""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Sign-in request refused</title></head><body><main>"
        f"<h1>This sign-in request cannot be completed</h1><p>{escape(description)}</p>"
        "</main></body></html>\n"
    )
