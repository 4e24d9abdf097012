from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StrictBool, StringConstraints

from laurel.kit.fields import sent_at_most
from laurel.kit.ids import UuidId
from laurel.kit.timestamps import SecondsTimestamp
from laurel.records_api import SnakeModel

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), sent_at_most(255)
]
Description = Annotated[str, StringConstraints(max_length=5000)]


class JobRoleCreate(SnakeModel):
    name: Name
    description: Description | None = None


class JobRoleUpdate(SnakeModel):
    name: Name | None = None
    description: Description | None = None


class JobRoleRead(SnakeModel):
    id: UuidId
    organization_id: UuidId
    name: str
    description: str | None
    created_at: SecondsTimestamp
    updated_at: SecondsTimestamp


class AssignmentUpsert(SnakeModel):
    is_primary: StrictBool = False


class AssignmentRead(SnakeModel):
    organization_member_id: UuidId
    job_role_id: UuidId
    is_primary: bool
    assigned_at: SecondsTimestamp
    created_at: SecondsTimestamp
    updated_at: SecondsTimestamp


TypeIds = Annotated[list[UUID], Field(min_length=1, max_length=200)]
RoleIds = Annotated[list[UUID], Field(max_length=200)]


class QualificationCreate(SnakeModel):
    name: Name
    description: Description | None = None
    certification_type_ids: TypeIds
    job_role_ids: RoleIds = []


class QualificationUpdate(SnakeModel):
    name: Name | None = None
    description: Description | None = None
    certification_type_ids: TypeIds | None = None
    job_role_ids: RoleIds | None = None


class QualificationRead(SnakeModel):
    id: UuidId
    organization_id: UuidId
    name: str
    description: str | None
    certification_type_ids: list[UuidId]
    job_role_ids: list[UuidId]
    created_at: SecondsTimestamp
    updated_at: SecondsTimestamp


class QualificationResult(SnakeModel):
    organization_member_id: UuidId
    qualification_id: UuidId
    status: Literal["qualified", "not_qualified"]
    met_requirement_count: int
    total_requirement_count: int
    missing_certification_type_ids: list[UuidId]
    evaluated_at: SecondsTimestamp


class Gap(SnakeModel):
    organization_member_id: UuidId
    qualification_id: UuidId
    missing_certification_type_ids: list[UuidId]


class Expiring(SnakeModel):
    """A requirement a qualified member meets now but loses on `expires_on`."""

    organization_member_id: UuidId
    qualification_id: UuidId
    certification_type_id: UuidId
    expires_on: date
    within_days: Literal[30, 60, 90]


class QualificationSummary(SnakeModel):
    qualification_id: UuidId
    name: str
    members_evaluated: int
    qualified: int
    not_qualified: int
    expiring_within_30_days: int
    expiring_within_60_days: int
    expiring_within_90_days: int


class GapReport(SnakeModel):
    organization_id: UuidId
    evaluated_at: SecondsTimestamp
    members_evaluated: int
    qualifications: list[QualificationSummary]
    gaps: list[Gap]
    expiring: list[Expiring]
