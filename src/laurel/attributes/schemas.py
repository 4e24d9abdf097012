"""Attributes: what designs and emails may name in brackets, and their wire shapes."""

from typing import Literal

from pydantic import Field

from laurel.issuer_api import CamelModel
from laurel.kit.timestamps import Timestamp

CUSTOM_ATTRIBUTE_PREFIX = "custom."
# The attributes every credential has (`CredentialView.to_read` fills them in), with their names.
BUILT_IN_ATTRIBUTES = {
    "recipient.name": "Recipient name",
    "recipient.email": "Recipient email",
    "group.name": "Credential template name",
    "credential.issueDate": "Issue date",
    "credential.expiryDate": "Expiry date",
    "credential.publicId": "Credential public id",
    "certificate.uuid": "Credential public id (Certifier's older name)",
    "certificate.issued_on": "Issue date (Certifier's older name)",
}


class AttributeRead(CamelModel):
    id: str
    type: Literal["text", "date"]
    tag: str
    name: str
    is_default: bool
    default_value: str | None
    created_at: Timestamp
    updated_at: Timestamp


class AttributeCreate(CamelModel):
    tag: str = Field(min_length=1, max_length=70, description="`custom.<name>`, e.g. custom.mentor")
    name: str = Field(min_length=1, max_length=255)
    default_value: str | None = Field(default=None, max_length=1000)
