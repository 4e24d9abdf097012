"""Timestamps in UTC with millisecond precision, written as `2022-01-01T00:00:00.000Z`."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import PlainSerializer


def utc_now() -> datetime:
    """Now, cut to milliseconds so that what is stored is exactly what the API shows."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def format_timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


Timestamp = Annotated[datetime, PlainSerializer(format_timestamp, return_type=str)]


def format_timestamp_seconds(value: datetime) -> str:
    """`2023-11-07T05:31:56Z`, as the records API writes timestamps."""
    return format_timestamp(value).split(".")[0] + "Z"


SecondsTimestamp = Annotated[datetime, PlainSerializer(format_timestamp_seconds, return_type=str)]
