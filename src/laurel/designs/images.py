"""Images embedded in a design: `data:` URIs of raster formats, and how many pixels they hold.

A raster image is drawn, never run, and a `data:` URI fetches nothing. SVG images
(`data:image/svg+xml`) are not allowed: they would be a second document with rules of its own.
The pixel count is read from the image's header (no decoding): a few kilobytes of PNG can
claim a 30,000 x 30,000 canvas, which the renderer would then decode into gigabytes.
"""

import base64
import binascii
import re
import struct
from dataclasses import dataclass

from laurel.designs.css import Refused

_DATA_URI = re.compile(
    r"\s*data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\s]*)", re.IGNORECASE
)
_WHITESPACE = re.compile(r"\s+")
# JPEG start-of-frame markers (C4, C8 and CC are other things), which carry the image's size.
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class EmbeddedImage:
    pixels: int  # width x height from the header; 0 when unreadable (the renderer skips it)


def _jpeg_size(data: bytes) -> tuple[int, int]:
    position = 2
    while position + 9 <= len(data):
        if data[position] != 0xFF:
            return 0, 0
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
        elif marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        elif marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            position += 2
        else:
            (length,) = struct.unpack(">H", data[position + 2 : position + 4])
            position += 2 + length
    return 0, 0


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        (bits,) = struct.unpack("<I", data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return 0, 0


def raster_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, JPEG, GIF or WebP ((0, 0) when its header is cut short);
    None when the bytes are none of those formats."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        if data[12:16] == b"IHDR" and len(data) >= 24:
            width, height = struct.unpack(">II", data[16:24])
            return width, height
        return 0, 0
    if data.startswith((b"GIF87a", b"GIF89a")):
        if len(data) >= 10:
            width, height = struct.unpack("<HH", data[6:10])
            return width, height
        return 0, 0
    if data.startswith(b"\xff\xd8\xff"):
        return _jpeg_size(data)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return _webp_size(data)
    return None


def read_image(uri: str) -> EmbeddedImage:
    """A `data:image/(png|jpeg|gif|webp);base64,...` URI's image, or `Refused` saying why not."""
    match = _DATA_URI.fullmatch(uri)
    if match is None:
        raise Refused(
            "an image must be embedded as data:image/png, jpeg, gif or webp (base64); "
            "nothing outside the design and no SVG image"
        )
    try:
        data = base64.b64decode(_WHITESPACE.sub("", match.group(2)), validate=True)
    except binascii.Error:
        raise Refused("an embedded image is not valid base64") from None
    size = raster_size(data)
    if size is None:
        raise Refused(
            f"an embedded image labelled image/{match.group(1).lower()} is not a PNG, JPEG, "
            "GIF or WebP image"
        )
    return EmbeddedImage(size[0] * size[1])
