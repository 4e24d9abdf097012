"""ORM models, one table a module; importing this package registers them all on Base.metadata."""

from laurel.models.access_token import AccessToken
from laurel.models.accredible import AccredibleAward, IntegerAlias
from laurel.models.audit_event import AuditEvent
from laurel.models.base import Base
from laurel.models.certification import (
    CertificationRecord,
    CertificationType,
    CertificationVerification,
    LifecycleStatus,
    RecordSource,
    TypeScope,
    TypeStatus,
    VerificationStatus,
)
from laurel.models.credential import (
    Attribute,
    Credential,
    CredentialInteraction,
    CredentialState,
)
from laurel.models.design import Design, DesignType
from laurel.models.email_template import EmailTemplate
from laurel.models.group import Group, GroupDesign
from laurel.models.idempotency_key import IdempotencyKey
from laurel.models.invitation import Invitation
from laurel.models.issuer import IssuerKey, StatusAllocation, StatusList
from laurel.models.job_role import (
    JobRole,
    JobRoleAssignment,
    Qualification,
    qualification_job_roles,
    qualification_requirements,
)
from laurel.models.oauth import AuthorizationCode, OAuthApp, UserToken, UserTokenKind
from laurel.models.openedx import BadgeTemplateEvent, CredlyBadge, OpenEdxConnection
from laurel.models.organization import Organization, Plan
from laurel.models.password_reset import PasswordReset
from laurel.models.render import RenderedFile
from laurel.models.user import Membership, MembershipStatus, Role, User
from laurel.models.web_session import WebSession
from laurel.models.webhook import (
    DeliveryAttempt,
    JobKind,
    JobStatus,
    OutboxJob,
    WebhookEndpoint,
)

__all__ = [
    "AccessToken",
    "AccredibleAward",
    "Attribute",
    "AuditEvent",
    "AuthorizationCode",
    "BadgeTemplateEvent",
    "Base",
    "CertificationRecord",
    "CertificationType",
    "CertificationVerification",
    "Credential",
    "CredentialInteraction",
    "CredentialState",
    "CredlyBadge",
    "DeliveryAttempt",
    "Design",
    "DesignType",
    "EmailTemplate",
    "Group",
    "GroupDesign",
    "IdempotencyKey",
    "IntegerAlias",
    "Invitation",
    "IssuerKey",
    "JobKind",
    "JobRole",
    "JobRoleAssignment",
    "JobStatus",
    "LifecycleStatus",
    "Membership",
    "MembershipStatus",
    "OAuthApp",
    "OpenEdxConnection",
    "Organization",
    "OutboxJob",
    "PasswordReset",
    "Plan",
    "Qualification",
    "RecordSource",
    "RenderedFile",
    "Role",
    "StatusAllocation",
    "StatusList",
    "TypeScope",
    "TypeStatus",
    "User",
    "UserToken",
    "UserTokenKind",
    "VerificationStatus",
    "WebSession",
    "WebhookEndpoint",
    "qualification_job_roles",
    "qualification_requirements",
]
