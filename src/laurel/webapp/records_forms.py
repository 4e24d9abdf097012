"""The records pages' forms and filters read into the records services' own request models, so a
bad field is the same 400 (naming the field) as on the records API, never a 500."""

import csv
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from laurel.certifications.schemas import CertificationFilters
from laurel.kit.errors import ValidationFailed
from laurel.kit.ids import is_valid_id, uuid_of
from laurel.qualifications.service.results import GapMatrix
from laurel.webapp.schemas import neutralized

# What a record's row says at a glance: its lifecycle when it is not active, else its dates.
STATES = ("valid", "expiring", "expired", "not_yet_valid", "suspended", "revoked", "superseded")
_LIFECYCLE_STATES = {"suspended", "revoked", "superseded"}
CELL_TEXT = {
    "met": "Met",
    "expiring": "Expiring",
    "missing": "Missing",
    "not_required": "Not required",
}


def state_of(record: dict[str, Any]) -> str:
    lifecycle = str(record["lifecycle_status"])
    return lifecycle if lifecycle in _LIFECYCLE_STATES else str(record["validity_status"])


def known_id(value: str, field: str) -> str | None:
    """An id taken from a filter; one that cannot be an id is a 400 naming the field."""
    if not value:
        return None
    if not is_valid_id(value):
        raise ValidationFailed(f"{field}: not an id of this organization", param=field)
    return value


@dataclass(frozen=True)
class RecordTableFilters:
    member: str
    type: str
    state: str

    @classmethod
    def parse(cls, member: str, type_: str, state: str) -> "RecordTableFilters":
        known_id(member, "member")
        known_id(type_, "type")
        if state and state not in STATES:
            raise ValidationFailed(f"state: one of {', '.join(STATES)}", param="state")
        return cls(member, type_, state)

    def service_filters(self) -> CertificationFilters:
        lifecycle = self.state if self.state in _LIFECYCLE_STATES else None
        validity = self.state if self.state and lifecycle is None else None
        return CertificationFilters.model_validate(
            {
                "organization_member_id": uuid_of(self.member) if self.member else None,
                "certification_type_id": uuid_of(self.type) if self.type else None,
                # A "valid" or "expired" record is one whose dates say so and that still stands.
                "lifecycle_status": lifecycle or ("active" if validity else None),
                "validity_status": validity,
            }
        )

    def query(self, **extra: str) -> str:
        pairs = {"member": self.member, "type": self.type, "state": self.state, **extra}
        return urlencode({key: value for key, value in pairs.items() if value})


def gap_csv(matrices: list[GapMatrix]) -> str:
    """The gap report as CSV: a row per member, a column per qualification; cells a spreadsheet
    would run as formulas (a member's name, a qualification's) are neutralized."""
    output = io.StringIO()
    writer = csv.writer(output)
    names = matrices[0].qualifications if matrices else {}
    writer.writerow([neutralized(cell) for cell in ("member", "email", *names.values())])
    for matrix in matrices:
        for member_id, name, email in matrix.members:
            cells = [CELL_TEXT[matrix.cell(member_id, q)] for q in names]
            writer.writerow([neutralized(cell) for cell in (name, email, *cells)])
    return output.getvalue()
