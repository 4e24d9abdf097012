"""Placeholders: `[recipient.name]`, `[custom.mentor]` written in designs' texts and in emails.

One grammar for both, so that what an email template may name is what a design may draw.
"""

import re
from collections.abc import Mapping

_ATTRIBUTE = re.compile(r"\[([A-Za-z][\w.]*)\]")


def attributes_in(text: str) -> list[str]:
    """The attribute names written `[name]` in a text, in order (what `fill_attributes` fills)."""
    return _ATTRIBUTE.findall(text)


def fill_attributes(text: str, values: Mapping[str, str | None]) -> str:
    """`[name]` -> its value; unknown attributes stay visible, so a preview shows the mistake."""

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return values[name] or ""

    return _ATTRIBUTE.sub(value_of, text)
