"""Baked badges: the signed credential carried inside the badge image (Open Badges 3.0 §5.3).

PNG: an `iTXt` chunk with the keyword `openbadgecredential` holding the credential's JSON.
SVG: an `<openbadges:credential>` element (namespace https://purl.imsglobal.org/ob/v3p0) right
after the root's start tag, the JSON in CDATA.
"""

import json
import re
import struct
import zlib
from typing import Any

from defusedxml.ElementTree import ParseError, fromstring

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
MAX_CREDENTIAL_BYTES = 1024 * 1024


class NotBaked(ValueError):
    """The file is not a badge with a credential inside."""


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if not png.startswith(PNG_SIGNATURE):
        raise NotBaked("not a PNG file")
    chunks, position = [], len(PNG_SIGNATURE)
    while position + 8 <= len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        data = png[position + 8 : position + 8 + length]
        chunks.append((kind, data))
        position += 12 + length
        if kind == b"IEND":
            break
    return chunks


def bake_png(png: bytes, credential: dict[str, Any]) -> bytes:
    text = json.dumps(credential, separators=(",", ":")).encode()
    # keyword, NUL, compression flag 0, method 0, empty language tag and translated keyword
    itxt = _chunk(b"iTXt", PNG_KEYWORD + b"\x00\x00\x00\x00\x00" + text)
    chunks = [
        (k, d)
        for k, d in _chunks(png)
        if not (k == b"iTXt" and d.startswith(PNG_KEYWORD + b"\x00"))
    ]
    body = b"".join(_chunk(k, d) for k, d in chunks if k != b"IEND")
    return PNG_SIGNATURE + body + itxt + _chunk(b"IEND", b"")


def unbake_png(png: bytes) -> dict[str, Any]:
    for kind, data in _chunks(png):
        if kind != b"iTXt" or not data.startswith(PNG_KEYWORD + b"\x00"):
            continue
        rest = data[len(PNG_KEYWORD) + 1 :]
        compressed, rest = rest[0], rest[2:]
        _language, _, rest = rest.partition(b"\x00")
        _translated, _, text = rest.partition(b"\x00")
        if compressed:
            inflater = zlib.decompressobj()
            text = inflater.decompress(text, MAX_CREDENTIAL_BYTES)
        return _credential(text)
    raise NotBaked("the PNG carries no openbadgecredential")


def bake_svg(svg: str, credential: dict[str, Any]) -> str:
    text = json.dumps(credential, separators=(",", ":")).replace("]]>", "]]]]><![CDATA[>")
    element = f"<openbadges:credential><![CDATA[{text}]]></openbadges:credential>"
    start = re.search(r"<svg\b[^>]*?(/?)>", svg)
    if start is None:
        raise NotBaked("not an SVG document")
    tag = start.group(0)
    if "xmlns:openbadges" not in tag:
        tag = (
            tag[: -len(start.group(1)) - 1]
            + f' xmlns:openbadges="{OB_NAMESPACE}"'
            + start.group(1)
            + ">"
        )
    if start.group(1):  # <svg .../> : open it to hold the credential
        tag = tag[:-2] + ">"
        return svg[: start.start()] + tag + element + "</svg>" + svg[start.end() :]
    return svg[: start.start()] + tag + element + svg[start.end() :]


def unbake_svg(svg: bytes | str) -> dict[str, Any]:
    try:
        root = fromstring(svg, forbid_dtd=True)
    except ParseError as error:
        raise NotBaked(f"not well-formed SVG ({error})") from None
    element = root.find(f"{{{OB_NAMESPACE}}}credential")
    if element is None or not (element.text or "").strip():
        raise NotBaked("the SVG carries no openbadges:credential")
    return _credential((element.text or "").encode())


def _credential(text: bytes) -> dict[str, Any]:
    if len(text) > MAX_CREDENTIAL_BYTES:
        raise NotBaked("the embedded credential is too large")
    try:
        value = json.loads(text)
    except ValueError:
        raise NotBaked("the embedded credential is not JSON") from None
    if not isinstance(value, dict):
        raise NotBaked("the embedded credential is not a JSON object")
    return value


def unbake(content: bytes) -> dict[str, Any]:
    """The credential inside a baked PNG or SVG (told apart by their first bytes)."""
    if content.startswith(PNG_SIGNATURE):
        return unbake_png(content)
    return unbake_svg(content)
