"""The `filter` of `POST /v1/credentials/search`, compiled to a SQL condition.

    {"AND": [{"status": {"in": ["issued", "expired"]}},
             {"OR": [{"recipient": {"email": {"endsWith": "@acme.org"}}},
                     {"NOT": [{"groupId": {"equals": "01h..."}}]}]}]}

A recipient's fields are written nested, as Certifier documents them; the dotted spelling
(`{"recipient.email": {...}}`) is accepted as an alias.

Every value becomes a bound parameter (SQLAlchemy builds the statement; nothing is pasted into SQL
text). Depth and size are bounded so a request cannot make the database do unbounded work.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, true
from sqlalchemy.sql.elements import ColumnClause

from laurel.kit.errors import ValidationFailed
from laurel.models import Credential, CredentialState
from laurel.models.base import table_of

MAX_DEPTH = 6
MAX_CONDITIONS = 100
MAX_LIST = 100
# Longer than any name or email (255, 320), and far below SQLite's LIKE pattern limit (50,000
# bytes), which a longer `contains` would hit as a 500.
MAX_VALUE_LENGTH = 1000

_credentials = table_of(Credential)
_STRING_FIELDS = {
    "recipient.name": _credentials.c.recipient_name,
    "recipient.email": _credentials.c.recipient_email,
}
_ENUM_FIELDS = {"groupId": _credentials.c.group_id}
_DATE_FIELDS = {"issueDate": _credentials.c.issue_date, "expiryDate": _credentials.c.expiry_date}
_TIMESTAMP_FIELDS = {"createdAt": _credentials.c.created_at}
_STATUSES = ("draft", "scheduled", "issued", "expired", "revoked")
# Certifier's documents and clients nest a recipient's fields; the dotted keys stay as aliases.
_NESTED = {"recipient": ("name", "email")}
FIELDS = sorted(["status", *_STRING_FIELDS, *_ENUM_FIELDS, *_DATE_FIELDS, *_TIMESTAMP_FIELDS])


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(f"filter: {message}", param="filter")


def status_condition(status: str, today: date) -> ColumnElement[bool]:
    """The stored columns that give a credential this status today (see schemas.status_on)."""
    c = _credentials.c
    issued = and_(c.state == CredentialState.issued, c.revoked_at.is_(None))
    draft = c.state == CredentialState.draft
    if status == "draft":
        return and_(draft, c.scheduled_at.is_(None))
    if status == "revoked":
        return c.revoked_at.is_not(None)
    if status == "scheduled":
        return or_(and_(draft, c.scheduled_at.is_not(None)), and_(issued, c.issue_date > today))
    if status == "expired":
        return and_(issued, c.issue_date <= today, c.expiry_date < today)
    return and_(issued, c.issue_date <= today, or_(c.expiry_date.is_(None), c.expiry_date >= today))


class FilterCompiler:
    def __init__(self, today: date) -> None:
        self.today = today
        self.conditions = 0

    def compile(self, node: Any, depth: int = 0) -> ColumnElement[bool]:
        if depth > MAX_DEPTH:
            raise _refuse(f"nested more than {MAX_DEPTH} levels deep")
        if not isinstance(node, dict) or len(node) != 1:
            raise _refuse("each part must be an object with exactly one key")
        ((key, value),) = node.items()
        if key in ("AND", "OR", "NOT"):
            parts = value if isinstance(value, list) else [value]
            if not parts:
                raise _refuse(f"{key} needs at least one condition")
            compiled = [self.compile(part, depth + 1) for part in parts]
            if key == "AND":
                return and_(true(), *compiled)
            if key == "OR":
                return or_(false(), *compiled)
            return not_(and_(true(), *compiled))
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise _refuse(f"at most {MAX_CONDITIONS} conditions")
        return self._condition(key, value)

    def _condition(self, field: str, operation: Any) -> ColumnElement[bool]:
        if field in _NESTED and isinstance(operation, dict):
            return self._nested(field, operation)
        if field not in FIELDS:
            raise _refuse(f"unknown field '{field}'; use one of {', '.join(FIELDS)}")
        if not isinstance(operation, dict) or len(operation) != 1:
            raise _refuse(f'{field} needs one operator, such as {{"equals": ...}}')
        ((operator, value),) = operation.items()
        _refuse_long_values(field, value)
        if field == "status":
            return self._status(operator, value)
        if field in _STRING_FIELDS:
            return _string(_STRING_FIELDS[field], field, operator, value)
        if field in _ENUM_FIELDS:
            return _enum(_ENUM_FIELDS[field], field, operator, value, _text)
        if field in _DATE_FIELDS:
            return _ordered(_DATE_FIELDS[field], field, operator, value, _date)
        return _ordered(_TIMESTAMP_FIELDS[field], field, operator, value, _timestamp)

    def _nested(self, parent: str, conditions: dict[str, Any]) -> ColumnElement[bool]:
        """`{"recipient": {"email": {"endsWith": "@acme.com"}}}`, Certifier's documented form."""
        known = _NESTED[parent]
        if not conditions:
            raise _refuse(f"{parent} needs a condition on one of {', '.join(known)}")
        parts = []
        for child, operation in conditions.items():
            if child not in known:
                raise _refuse(f"unknown field '{parent}.{child}'; use one of {', '.join(known)}")
            parts.append(self._condition(f"{parent}.{child}", operation))
        return and_(true(), *parts)

    def _status(self, operator: str, value: Any) -> ColumnElement[bool]:
        def known(item: Any) -> str:
            if item not in _STATUSES:
                raise _refuse(f"status must be one of {', '.join(_STATUSES)}")
            return str(item)

        if operator == "equals":
            return status_condition(known(value), self.today)
        if operator == "in":
            return or_(false(), *(status_condition(known(v), self.today) for v in _list(value)))
        raise _refuse("status takes equals or in")


def _refuse_long_values(field: str, value: Any) -> None:
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and len(item) > MAX_VALUE_LENGTH:
            raise _refuse(f"{field} values are at most {MAX_VALUE_LENGTH} characters")


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list) or not value or len(value) > MAX_LIST:
        raise _refuse(f"'in' takes a list of 1 to {MAX_LIST} values")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _refuse("expected a string")
    return value


def _date(value: Any) -> date:
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        raise _refuse(f"'{value}' is not a date (YYYY-MM-DD)") from None


def _timestamp(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(_text(value).replace("Z", "+00:00"))
    except ValueError:
        raise _refuse(f"'{value}' is not a timestamp") from None
    if parsed.tzinfo is None:
        raise _refuse("timestamps need a time zone (e.g. a trailing Z)")
    return parsed


def _string(
    column: ColumnClause[Any], field: str, operator: str, value: Any
) -> ColumnElement[bool]:
    if operator == "in":
        return column.in_([_text(v) for v in _list(value)])
    text = _text(value)
    # Names and emails compare without regard to case, as people expect of them.
    lowered, needle = func.lower(column), text.lower()
    if operator == "equals":
        return lowered == needle
    if operator == "contains":
        return lowered.contains(needle, autoescape=True)
    if operator == "startsWith":
        return lowered.startswith(needle, autoescape=True)
    if operator == "endsWith":
        return lowered.endswith(needle, autoescape=True)
    raise _refuse(f"{field} takes equals, contains, startsWith, endsWith or in")


def _enum(
    column: ColumnClause[Any], field: str, operator: str, value: Any, parse: Callable[[Any], Any]
) -> ColumnElement[bool]:
    if operator == "equals":
        return cast(ColumnElement[bool], column == parse(value))
    if operator == "in":
        return column.in_([parse(v) for v in _list(value)])
    raise _refuse(f"{field} takes equals or in")


_COMPARISONS = {"gt": "__gt__", "gte": "__ge__", "lt": "__lt__", "lte": "__le__"}


def _ordered(
    column: ColumnClause[Any], field: str, operator: str, value: Any, parse: Callable[[Any], Any]
) -> ColumnElement[bool]:
    if operator in ("equals", "in"):
        return _enum(column, field, operator, value, parse)
    if operator in _COMPARISONS:
        compare: Callable[[Any], ColumnElement[bool]] = getattr(column, _COMPARISONS[operator])
        return compare(parse(value))
    raise _refuse(f"{field} takes equals, in, gt, gte, lt or lte")
