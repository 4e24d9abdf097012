"""ORM models, one table a module; importing this package registers them all on Base.metadata."""

from laurel.models.access_token import AccessToken
from laurel.models.base import Base
from laurel.models.design import Design, DesignType
from laurel.models.group import Group, GroupDesign
from laurel.models.organization import Organization, Plan

__all__ = [
    "AccessToken",
    "Base",
    "Design",
    "DesignType",
    "Group",
    "GroupDesign",
    "Organization",
    "Plan",
]
