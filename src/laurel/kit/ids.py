"""Resource ids: 26-character lowercase ULIDs, as Certifier uses; UUIDs in the records API."""

import re
from typing import Annotated
from uuid import UUID

from pydantic import PlainSerializer
from ulid import ULID

ULID_PATTERN = re.compile(r"^[0-9a-hjkmnp-tv-z]{26}$")


def new_id() -> str:
    return str(ULID()).lower()


def is_valid_id(value: str) -> bool:
    return bool(ULID_PATTERN.match(value))


def uuid_of(value: str) -> str:
    """The UUID spelling of an id, as the records API shows it (the same 128 bits)."""
    return str(ULID.from_str(value.upper()).to_uuid())


def id_of_uuid(value: UUID) -> str:
    """The id behind a UUID the records API was given; any UUID maps to exactly one id."""
    return str(ULID.from_uuid(value)).lower()


# An id written as a UUID in records-API responses (stored as a ULID, which sorts by time).
UuidId = Annotated[str, PlainSerializer(uuid_of, return_type=str)]
