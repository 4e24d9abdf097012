"""Job roles and qualifications have names unique in their organization."""

from laurel.kit.errors import Conflict
from laurel.qualifications.repository import JobRoleRepository, QualificationRepository


async def require_free_name(
    repository: JobRoleRepository | QualificationRepository,
    organization_id: str,
    name: str | None,
    keep_id: str | None = None,
) -> None:
    """409 when another job role (or qualification) of the organization has the name."""
    # A race past this check still ends as a 409, through the unique constraint.
    if name is not None and await repository.name_taken(organization_id, name, keep_id):
        raise Conflict(f"name: '{name}' is taken in this organization", param="name")
