"""The records API's scopes: what a user token may do, on top of what the user may do.

Scopes never widen access: a request needs the scope **and** a membership whose role allows it.
"""

from collections.abc import Iterable
from enum import StrEnum


class Scope(StrEnum):
    certification_records_read = "certification_records:read"
    certification_records_write = "certification_records:write"
    certification_types_read = "certification_types:read"
    certification_types_write = "certification_types:write"
    job_roles_read = "job_roles:read"
    job_roles_write = "job_roles:write"
    organization_members_read = "organization_members:read"
    organization_members_write = "organization_members:write"
    organizations_read = "organizations:read"
    organizations_write = "organizations:write"
    qualifications_read = "qualifications:read"
    qualifications_write = "qualifications:write"


API_SCOPES = frozenset(Scope)
# Sign-in scopes of the OAuth flow: they shape the identity, never API access.
IDENTITY_SCOPES = frozenset({"openid", "email", "profile", "offline_access"})

# Some of COSMIC's pages spell the resources as in their paths; both spellings are accepted.
_RESOURCE_ALIASES = {
    "organization-members": "organization_members",
    "certifications": "certification_records",
    "certification-records": "certification_records",
    "job-roles": "job_roles",
    "certification-types": "certification_types",
}


def normalize_scope(scope: str) -> str:
    """`organization-members:read` -> `organization_members:read`; others unchanged."""
    resource, colon, action = scope.partition(":")
    return _RESOURCE_ALIASES.get(resource, resource) + colon + action


def parse_scopes(text: str | Iterable[str]) -> list[str]:
    """Scopes from a space-separated string (or a list), normalized, each once, in order."""
    items = text.split() if isinstance(text, str) else list(text)
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(normalize_scope(item), None)
    return list(seen)


def unknown_scopes(scopes: Iterable[str]) -> list[str]:
    return [s for s in scopes if s not in API_SCOPES and s not in IDENTITY_SCOPES]


def api_scopes(scopes: Iterable[str]) -> list[str]:
    """Only the API scopes, in the order of `Scope`."""
    granted = set(scopes)
    return [scope.value for scope in Scope if scope.value in granted]
