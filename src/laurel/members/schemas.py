from typing import Annotated, Literal

from pydantic import Field, StrictBool, StringConstraints

from laurel.kit.fields import sent_at_most
from laurel.kit.ids import UuidId
from laurel.kit.timestamps import SecondsTimestamp
from laurel.models import MembershipStatus, Role
from laurel.records_api import SnakeModel

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), sent_at_most(255)
]


class OrganizationRead(SnakeModel):
    id: UuidId
    name: str
    status: str
    created_at: SecondsTimestamp
    updated_at: SecondsTimestamp


class OrganizationUpdate(SnakeModel):
    name: Name


class UserRead(SnakeModel):
    id: UuidId
    email: str
    display_name: str


class MemberRead(SnakeModel):
    id: UuidId
    organization_id: UuidId
    user_id: UuidId
    user: UserRead
    role: Role
    status: MembershipStatus
    is_primary: bool
    created_at: SecondsTimestamp
    updated_at: SecondsTimestamp


class MemberCreate(SnakeModel):
    email: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=320), sent_at_most(320)
    ]
    display_name: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=255), sent_at_most(255)
    ] = ""
    role: Role = Role.member
    is_primary: StrictBool = False


class MemberUpdate(SnakeModel):
    role: Role | None = None
    status: Literal["active", "suspended"] | None = None
    is_primary: StrictBool | None = None


class MembershipSummary(SnakeModel):
    id: UuidId
    organization_id: UuidId
    role: Role
    status: str = "active"
    is_primary: bool


class OrganizationSummary(SnakeModel):
    id: UuidId
    name: str
    status: str


class Me(SnakeModel):
    user: UserRead
    scopes: list[str]
    organizations: list[OrganizationSummary]
    organization_memberships: list[MembershipSummary]
    accessible_member_ids: list[UuidId] = Field(
        description="Organization members whose records this token can reach."
    )
