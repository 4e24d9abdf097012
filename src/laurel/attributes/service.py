"""Attributes: the built-in ones every credential has, and an organization's custom ones."""

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from ulid import ULID

from laurel.attributes.repository import AttributeRepository
from laurel.attributes.schemas import BUILT_IN_ATTRIBUTES, CUSTOM_ATTRIBUTE_PREFIX
from laurel.auth.dependencies import Principal
from laurel.kit.errors import Conflict, ValidationFailed

ATTRIBUTE_TAG = re.compile(r"^custom\.[a-z][a-z0-9_]{0,62}$")


_DATE_ATTRIBUTES = {"credential.issueDate", "credential.expiryDate", "certificate.issued_on"}
# Built-in attributes are the same in every organization and never change: a fixed id (derived
# from the tag) and the day they were first offered.
_BUILT_IN_SINCE = datetime(2026, 11, 23, tzinfo=UTC)


def _attribute_type(tag: str) -> str:
    return "date" if tag in _DATE_ATTRIBUTES else "text"


def _built_in_attribute(tag: str, name: str) -> dict[str, Any]:
    digest = int.from_bytes(hashlib.sha256(f"attribute:{tag}".encode()).digest()[:16], "big")
    return {
        "id": str(ULID.from_int(digest)).lower(),
        "type": _attribute_type(tag),
        "tag": tag,
        "name": name,
        "isDefault": True,
        "defaultValue": None,
        "createdAt": _BUILT_IN_SINCE,
        "updatedAt": _BUILT_IN_SINCE,
    }


# The same in every organization, for ever: made once.
_BUILT_INS = [_built_in_attribute(tag, name) for tag, name in BUILT_IN_ATTRIBUTES.items()]


def _custom_attribute(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": "text",
        "tag": row.tag,
        "name": row.name,
        "isDefault": False,
        "defaultValue": row.default_value,
        "createdAt": row.created_at,
        "updatedAt": row.updated_at,
    }


async def list_attributes(session: AsyncSession, principal: Principal) -> list[dict[str, Any]]:
    custom = await AttributeRepository(session).list_custom(principal.organization_id)
    return [*_BUILT_INS, *(_custom_attribute(row) for row in custom)]


async def create_attribute(
    session: AsyncSession, principal: Principal, tag: str, name: str, default: str | None
) -> dict[str, Any]:
    if not tag.startswith(CUSTOM_ATTRIBUTE_PREFIX):
        tag = CUSTOM_ATTRIBUTE_PREFIX + tag
    if not ATTRIBUTE_TAG.match(tag):
        raise ValidationFailed(
            "tag: custom.<name>, lowercase letters, digits and _ (e.g. custom.mentor)", param="tag"
        )
    repository = AttributeRepository(session)
    if tag in await repository.custom_defaults(principal.organization_id):
        raise Conflict(f"The attribute {tag} exists already")
    return _custom_attribute(await repository.insert(principal.organization_id, tag, name, default))
