"""Resource ids: UUIDv7s, spelled as Certifier spells ids and as the records API spells them.

Every id is an RFC 9562 UUID version 7 (48 bits of Unix milliseconds, then random bits), so strict
UUID validators accept it in the records API. The Certifier API shows the same 128 bits as a
26-character lowercase Crockford base32 id, the shape of Certifier's ULIDs; both spellings sort by
creation time. Rows made before UUIDv7 keep their ULID ids, which read and convert as before.
"""

import os
import re
import time
from functools import lru_cache
from typing import Annotated
from uuid import UUID

from pydantic import PlainSerializer
from ulid import ULID

ULID_PATTERN = re.compile(r"^[0-9a-hjkmnp-tv-z]{26}$")


_RANDOM_A_BITS = 12
_RANDOM_B_BITS = 62


def new_id() -> str:
    """A new UUIDv7 in the Certifier spelling.

    Written out rather than taken from a package: the standard library has `uuid.uuid7` only from
    Python 3.14, and the layout is a few shifts; python-ulid (already here) spells it.
    """
    millis = time.time_ns() // 1_000_000
    random_bits = int.from_bytes(os.urandom(10), "big")
    value = (
        (millis & 0xFFFF_FFFF_FFFF) << 80
        | 0x7 << 76  # version 7
        | (random_bits >> _RANDOM_B_BITS & (1 << _RANDOM_A_BITS) - 1) << 64
        | 0b10 << 62  # the RFC 9562 variant
        | random_bits & (1 << _RANDOM_B_BITS) - 1
    )
    return str(ULID.from_int(value)).lower()


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
