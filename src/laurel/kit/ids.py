"""Resource ids: 26-character lowercase ULIDs, as Certifier uses; UUIDs in the records API."""

import re
from functools import lru_cache
from typing import Annotated
from uuid import UUID

from pydantic import PlainSerializer
from ulid import ULID

ULID_PATTERN = re.compile(r"^[0-9a-hjkmnp-tv-z]{26}$")


def new_id() -> str:
    return str(ULID()).lower()


def is_valid_id(value: str) -> bool:
    return bool(ULID_PATTERN.match(value))


# Crockford's base32 (ULIDs) spelled in the digits int(..., 32) reads: the conversion stays in C,
# which matters when a report serializes tens of thousands of ids.
_CROCKFORD_TO_BASE32 = str.maketrans(
    "0123456789abcdefghjkmnpqrstvwxyz", "0123456789abcdefghijklmnopqrstuv"
)


@lru_cache(maxsize=1 << 16)  # a report names the same members and types many times
def uuid_of(value: str) -> str:
    """The UUID spelling of an id, as the records API shows it (the same 128 bits)."""
    digits = f"{int(value.translate(_CROCKFORD_TO_BASE32), 32):032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def id_of_uuid(value: UUID) -> str:
    """The id behind a UUID the records API was given; any UUID maps to exactly one id."""
    return str(ULID.from_uuid(value)).lower()


# An id written as a UUID in records-API responses (stored as a ULID, which sorts by time).
UuidId = Annotated[str, PlainSerializer(uuid_of, return_type=str)]
