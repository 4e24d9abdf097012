"""Jinja2 for the web app: the public pages' setup (autoescaping, a nonce per page, the same CSP),
with the app's own templates and stylesheet."""

from datetime import datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any, NamedTuple

from laurel.kit.html import HtmlPages
from laurel.models import Role
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


class SettingsTab(NamedTuple):
    key: str  # the page's `active`
    url: str
    label: str
    role: Role  # the lowest role that sees it


# The settings pages, under one "Settings" tab, in the order they are shown.
SETTINGS_TABS = (
    SettingsTab("organization", "/app/settings/organization", "Organization", Role.admin),
    SettingsTab("members", "/app/settings/members", "Members", Role.admin),
    SettingsTab("tokens", "/app/settings/tokens", "API tokens", Role.admin),
    SettingsTab("webhooks", "/app/settings/webhooks", "Webhooks", Role.admin),
    SettingsTab("oauth_apps", "/app/settings/oauth-apps", "OAuth apps", Role.admin),
    SettingsTab("openedx", "/app/settings/openedx", "Open edX", Role.admin),
    SettingsTab("audit", "/app/audit", "Audit log", Role.admin),
    SettingsTab("plan", "/app/settings/plan", "Plan", Role.member),
)


def settings_tabs(staff: Any) -> list[SettingsTab]:
    """The settings pages `staff`'s role may open (Plan, at least)."""
    return [tab for tab in SETTINGS_TABS if staff.may(tab.role)]


def moment(value: datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC"


render = HtmlPages(
    "laurel.webapp",
    app_headers,
    {"long_date": long_date, "web_url": web_url, "moment": moment, "settings_tabs": settings_tabs},
).render
