"""Bitstring Status List (W3C): one bit per credential, GZIP-compressed, base64url multibase."""

import base64
import gzip

LIST_SIZE = 131_072  # the spec's minimum, so that a list hides which credential is whose


def empty_bits(size: int = LIST_SIZE) -> bytes:
    return bytes(size // 8)


def set_bit(bits: bytes, index: int) -> bytes:
    """Bit 0 is the first (most significant) bit of the first byte, as the spec numbers them."""
    data = bytearray(bits)
    data[index // 8] |= 0x80 >> (index % 8)
    return bytes(data)


def bit_is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def encode_list(bits: bytes) -> str:
    compressed = gzip.compress(bits, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_list(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url ('u...')")
    text = encoded[1:]
    # A status list is small when compressed and must stay small when expanded.
    data = gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    if len(data) > 16 * 1024 * 1024:
        raise ValueError("status list too large")
    return data
