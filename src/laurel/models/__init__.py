"""ORM models, one table a module; importing this package registers them all on Base.metadata."""

from laurel.models.access_token import AccessToken
from laurel.models.base import Base
from laurel.models.credential import (
    Attribute,
    Credential,
    CredentialInteraction,
    CredentialState,
)
from laurel.models.design import Design, DesignType
from laurel.models.group import Group, GroupDesign
from laurel.models.idempotency_key import IdempotencyKey
from laurel.models.issuer import IssuerKey, StatusAllocation, StatusList
from laurel.models.organization import Organization, Plan
from laurel.models.webhook import (
    DeliveryAttempt,
    JobKind,
    JobStatus,
    OutboxJob,
    WebhookEndpoint,
)

__all__ = [
    "AccessToken",
    "Attribute",
    "Base",
    "Credential",
    "CredentialInteraction",
    "CredentialState",
    "DeliveryAttempt",
    "Design",
    "DesignType",
    "Group",
    "GroupDesign",
    "IdempotencyKey",
    "IssuerKey",
    "JobKind",
    "JobStatus",
    "Organization",
    "OutboxJob",
    "Plan",
    "StatusAllocation",
    "StatusList",
    "WebhookEndpoint",
]
