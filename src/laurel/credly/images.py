"""A template's badge image for Open edX: a plain disc in a colour of the template's own.

Open edX's Credly sync stores a template's `image_url` as its icon. Laurel's badge designs are
drawn per credential (with the recipient's values), so the template's icon is a placeholder
that needs no renderer: small, deterministic, cacheable.
"""

import hashlib
import struct
import zlib
from functools import lru_cache

SIZE = 128
_RADIUS = SIZE // 2 - 4


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def _disc_spans() -> list[tuple[int, int]]:
    """For each row, the first and past-the-last column inside the disc."""
    centre = (SIZE - 1) / 2
    spans = []
    for y in range(SIZE):
        inside = [x for x in range(SIZE) if (x - centre) ** 2 + (y - centre) ** 2 <= _RADIUS**2]
        spans.append((inside[0], inside[-1] + 1) if inside else (0, 0))
    return spans


_SPANS = _disc_spans()


@lru_cache(maxsize=256)
def template_icon(template_uuid: str) -> bytes:
    """A SIZE x SIZE RGBA PNG: a disc coloured from the template's id, transparent around."""
    red, green, blue = hashlib.sha256(template_uuid.encode()).digest()[:3]
    colour = bytes((red // 2 + 64, green // 2 + 64, blue // 2 + 64, 255))
    clear = b"\0\0\0\0"
    # Each row: filter byte 0 (none), then its pixels.
    raw = b"".join(
        b"\0" + clear * start + colour * (end - start) + clear * (SIZE - end)
        for start, end in _SPANS
    )
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 6))
        + _chunk(b"IEND", b"")
    )
