"""Resource ids: 26-character lowercase ULIDs, as Certifier uses."""

import re

from ulid import ULID

ULID_PATTERN = re.compile(r"^[0-9a-hjkmnp-tv-z]{26}$")


def new_id() -> str:
    return str(ULID()).lower()


def is_valid_id(value: str) -> bool:
    return bool(ULID_PATTERN.match(value))
