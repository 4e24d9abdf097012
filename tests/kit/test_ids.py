"""Ids are RFC 9562 UUIDv7s: valid for strict UUID validators, time-ordered in both spellings."""

import time
import uuid

from laurel.kit.ids import id_of_uuid, is_valid_id, new_id, uuid_of


def test_a_new_id_is_a_uuid_version_7_of_the_rfc_variant() -> None:
    for _ in range(1000):
        spelled = uuid.UUID(uuid_of(new_id()))
        assert spelled.version == 7
        assert spelled.variant == uuid.RFC_4122


def test_a_new_id_carries_the_current_millisecond_and_reads_back() -> None:
    before = time.time_ns() // 1_000_000
    made = new_id()
    after = time.time_ns() // 1_000_000
    assert is_valid_id(made)
    assert before <= uuid.UUID(uuid_of(made)).int >> 80 <= after
    assert id_of_uuid(uuid.UUID(uuid_of(made))) == made


def test_ids_made_later_sort_later_in_both_spellings() -> None:
    first = new_id()
    time.sleep(0.002)
    second = new_id()
    assert first < second
    assert uuid_of(first) < uuid_of(second)


def test_ids_made_before_uuidv7_still_convert() -> None:
    legacy = "01jd3x7c2y8m6q4t5v9w0z1a2b"  # a ULID of the first releases: no version bits
    assert id_of_uuid(uuid.UUID(uuid_of(legacy))) == legacy
