"""What the web app's forms and query strings carry, checked before any service is called."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from pydantic import ValidationError

from laurel.credentials.schemas import (
    CreateIssueSendRequest,
    CredentialRead,
    ScheduleRequest,
    SearchSort,
)
from laurel.kit.errors import ValidationFailed

STATUSES = ("draft", "scheduled", "issued", "expired", "revoked")
MAX_SEARCH_LENGTH = 200
MAX_REASON_LENGTH = 1000


# The table's orders: (what the select says, the search's sort property and direction).
SORTS = {
    "newest": ("Newest first", "createdAt", "desc"),
    "oldest": ("Oldest first", "createdAt", "asc"),
    "issued_latest": ("Issue date, latest first", "issueDate", "desc"),
    "issued_earliest": ("Issue date, earliest first", "issueDate", "asc"),
    "expiring_first": ("Expiry date, soonest first", "expiryDate", "asc"),
}


def _date_field(value: str, name: str) -> str:
    """A `YYYY-MM-DD` date from a filter (empty: no bound), or a 400 naming the field."""
    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValidationFailed(f"{name}: a date such as 2026-03-01", param=name) from None


@dataclass(frozen=True)
class CredentialFilters:
    """The credentials table's filters and order, as the query string spells them."""

    status: str = ""
    template: str = ""
    q: str = ""
    issued_from: str = ""
    issued_to: str = ""
    sort: str = "newest"

    @classmethod
    def parse(
        cls,
        status: str,
        template: str,
        q: str,
        issued_from: str = "",
        issued_to: str = "",
        sort: str = "",
    ) -> "CredentialFilters":
        if status and status not in STATUSES:
            raise ValidationFailed(f"status: choose one of {', '.join(STATUSES)}", param="status")
        if len(q) > MAX_SEARCH_LENGTH:
            raise ValidationFailed(f"q: at most {MAX_SEARCH_LENGTH} characters", param="q")
        if sort and sort not in SORTS:
            raise ValidationFailed(f"sort: choose one of {', '.join(SORTS)}", param="sort")
        return cls(
            status,
            template.strip(),
            q.strip(),
            _date_field(issued_from.strip(), "issued_from"),
            _date_field(issued_to.strip(), "issued_to"),
            sort or "newest",
        )

    def search_filter(self, only_email: str | None) -> dict[str, Any] | None:
        """The `filter` of the credentials search service (the API's own search)."""
        parts: list[dict[str, Any]] = []
        if self.status:
            parts.append({"status": {"equals": self.status}})
        if self.template:
            parts.append({"groupId": {"equals": self.template}})
        if self.q:
            parts.append(
                {
                    "OR": [
                        {"recipient": {"name": {"contains": self.q}}},
                        {"recipient": {"email": {"contains": self.q}}},
                    ]
                }
            )
        if self.issued_from:
            parts.append({"issueDate": {"gte": self.issued_from}})
        if self.issued_to:
            parts.append({"issueDate": {"lte": self.issued_to}})
        if only_email is not None:
            parts.append({"recipient": {"email": {"equals": only_email}}})
        return {"AND": parts} if parts else None

    def search_sort(self) -> SearchSort:
        _, property_, order = SORTS[self.sort]
        return SearchSort.model_validate({"property": property_, "order": order})

    def query(self, **extra: str) -> str:
        values = {
            "status": self.status,
            "template": self.template,
            "q": self.q,
            "issued_from": self.issued_from,
            "issued_to": self.issued_to,
            "sort": "" if self.sort == "newest" else self.sort,
            **extra,
        }
        return urlencode({key: value for key, value in values.items() if value})


def issue_request(form: dict[str, str]) -> tuple[CreateIssueSendRequest | None, dict[str, str]]:
    """The issue form as the services' request, or the problems per form field."""
    body: dict[str, Any] = {
        "groupId": form.get("template", ""),
        "recipient": {"name": form.get("recipient_name", "").strip()},
    }
    email = form.get("recipient_email", "").strip()
    if email:
        body["recipient"]["email"] = email
    if issue_date := form.get("issue_date", "").strip():
        body["issueDate"] = issue_date
    try:
        return CreateIssueSendRequest.model_validate(body), {}
    except ValidationFailed as error:
        return None, {_FIELD_OF.get(error.param or "", "template"): error.message}
    except ValidationError as error:
        problems: dict[str, str] = {}
        for problem in error.errors():
            location = ".".join(str(part) for part in problem["loc"])
            problems.setdefault(_FIELD_OF.get(location, "template"), problem["msg"])
        return None, problems


_FIELD_OF = {
    "groupId": "template",
    "recipient.name": "recipient_name",
    "recipient.email": "recipient_email",
    "issueDate": "issue_date",
    "recipient": "recipient_name",
}


def revocation_reason(form: dict[str, str]) -> str:
    reason = form.get("reason", "").strip()
    if not reason:
        raise ValidationFailed("reason: say why the credential is revoked", param="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(f"reason: at most {MAX_REASON_LENGTH} characters", param="reason")
    return reason


def schedule_request(form: dict[str, str]) -> ScheduleRequest:
    """The schedule form's date and time, read as UTC (the page says so), as the API's request.
    Whether it is in the future and within the horizon is the service's rule."""
    problem = ValidationFailed(
        "scheduled_at: give a date and time, such as 2026-12-01T09:00 (UTC)",
        param="scheduled_at",
    )
    try:
        moment = datetime.fromisoformat(form.get("scheduled_at", "").strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return ScheduleRequest.model_validate({"scheduledAt": moment.isoformat()})
    except (ValueError, ValidationError):
        raise problem from None


def token_name(form: dict[str, str]) -> str:
    name = form.get("name", "").strip()
    if not name:
        raise ValidationFailed("name: give the token a name", param="name")
    if len(name) > 255:
        raise ValidationFailed("name: at most 255 characters", param="name")
    return name


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: only a path of the web app itself, never another site."""
    fallback = "/app"
    if not target or not (target == "/app" or target.startswith(("/app/", "/app?"))):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or "/.." in parts.path:
        return fallback
    return target


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "id",
    "public_id",
    "status",
    "template",
    "recipient_name",
    "recipient_email",
    "issue_date",
    "expiry_date",
    "created_at",
)


def neutralized(value: str) -> str:
    """The cell as text a spreadsheet shows rather than runs (OWASP's advice: a leading ')."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def credentials_csv(rows: Iterable[CredentialRead], template_names: dict[str, str]) -> str:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cells = (
            row.id,
            row.public_id,
            row.status,
            template_names.get(row.group_id, row.group_id),
            row.recipient.name,
            row.recipient.email or "",
            row.issue_date.isoformat(),
            row.expiry_date.isoformat() if row.expiry_date else "",
            row.created_at.isoformat(),
        )
        writer.writerow([neutralized(str(cell)) for cell in cells])
    return output.getvalue()
