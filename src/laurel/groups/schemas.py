"""Credential template (group) shapes.

Requests accept both of Certifier's shapes: `designIds` (current) and the deprecated
`certificateDesignId` / `badgeDesignId`, never both at once. `groups.legacy` translates the old
one into `DesignChoice`s, the only form the service knows. Responses always carry `designIds`
and, for older clients, the two legacy fields derived from it.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from laurel.groups.expiry import ExpiryRule
from laurel.issuer_api import CamelModel
from laurel.kit.errors import ValidationFailed
from laurel.kit.fields import HttpUrlText, ResourceId, sent_at_most
from laurel.kit.timestamps import Timestamp
from laurel.kit.updates import refuse_nulls
from laurel.models import DesignType

GroupName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), sent_at_most(255)
]
MAX_DESIGNS_PER_GROUP = 20

_LEGACY_FIELDS = ("certificate_design_id", "badge_design_id")
_NAME_DESCRIPTION = "The credential template's name, used as the [group.name] attribute."
_URL_DESCRIPTION = "The learning event's URL that is shown in the digital wallet (http or https)."
_DESIGN_IDS_DESCRIPTION = "The ordered list of design ids (at least one) used by the template."
_LEGACY_DESCRIPTION = "Deprecated: use designIds. Cannot be combined with designIds."
_EMAIL_TEMPLATE_DESCRIPTION = (
    "The email template its credentials are sent with (null: the built-in email). A send request "
    "may choose another."
)


class _GroupBody(CamelModel):
    # Raising ValidationFailed (not ValueError) in validators lets it pass through pydantic
    # untouched, so the 400 names the field even for rules that span fields.
    design_ids: list[ResourceId] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_DESIGNS_PER_GROUP,
        description=_DESIGN_IDS_DESCRIPTION,
    )
    learning_event_url: HttpUrlText | None = Field(default=None, description=_URL_DESCRIPTION)
    certificate_design_id: ResourceId | None = Field(
        default=None, description=_LEGACY_DESCRIPTION, json_schema_extra={"deprecated": True}
    )
    badge_design_id: ResourceId | None = Field(
        default=None, description=_LEGACY_DESCRIPTION, json_schema_extra={"deprecated": True}
    )
    email_template_id: ResourceId | None = Field(
        default=None, description=_EMAIL_TEMPLATE_DESCRIPTION
    )

    @property
    def uses_legacy_designs(self) -> bool:
        return any(field in self.model_fields_set for field in _LEGACY_FIELDS)

    @model_validator(mode="after")
    def _one_request_shape(self) -> "_GroupBody":
        if "design_ids" in self.model_fields_set and self.uses_legacy_designs:
            raise ValidationFailed(
                "designIds: cannot be combined with the legacy certificateDesignId/badgeDesignId",
                param="designIds",
            )
        return self


class GroupCreate(_GroupBody):
    name: GroupName = Field(description=_NAME_DESCRIPTION)

    @model_validator(mode="after")
    def _needs_a_design(self) -> "GroupCreate":
        if self.design_ids is None and not (self.certificate_design_id or self.badge_design_id):
            raise ValidationFailed(
                "designIds: required (or, in the legacy shape, certificateDesignId "
                "and/or badgeDesignId)",
                param="designIds",
            )
        return self


class GroupUpdate(_GroupBody):
    """Only the fields sent change; null clears `learningEventUrl` and `emailTemplateId`."""

    name: GroupName | None = Field(default=None, description=_NAME_DESCRIPTION)

    @model_validator(mode="after")
    def _no_nulls_where_required(self) -> "GroupUpdate":
        refuse_nulls(self, "name", "design_ids")
        return self


@dataclass(frozen=True)
class DesignChoice:
    """A design the request asks for, where it named it, and the type that place demands."""

    design_id: str
    field: str
    required_type: DesignType | None = None


MAX_DESCRIPTION = 5000
MAX_CRITERIA = 10_000


@dataclass(frozen=True)
class TemplateExtensions:
    """Laurel's own fields of a template, not on Certifier's API (its wire shape stays
    Certifier's): the Open Badges achievement's description and criteria narrative (plain text;
    the criteria may be Markdown, kept as text), and the expiry rule of its credentials."""

    description: str | None = None
    criteria: str | None = None
    expiry: ExpiryRule | None = None


def image_design(designs: list[tuple[str, DesignType]]) -> str | None:
    """The design that stands for a template as its image (Open edX shows it as the badge's
    icon): its first badge design, else its first design; None for a template without any."""
    badges = [design_id for design_id, kind in designs if kind == DesignType.badge]
    firsts = badges or [design_id for design_id, _ in designs]
    return firsts[0] if firsts else None


@dataclass(frozen=True)
class GroupView:
    """A template: its fields and its designs' ids and types, in order. The API shows all but
    `extensions`, which only Laurel's web app sets and the credentials and VCs use."""

    id: str
    name: str
    learning_event_url: str | None
    created_at: datetime
    updated_at: datetime
    designs: list[tuple[str, DesignType]]
    email_template_id: str | None = None
    extensions: TemplateExtensions = TemplateExtensions()

    def expiry_after(self, issue_date: date) -> date | None:
        """The expiry date the template's rule gives a credential issued on `issue_date`."""
        rule = self.extensions.expiry
        return rule.after(issue_date) if rule is not None else None


class GroupRead(CamelModel):
    id: str
    name: str
    learning_event_url: str | None
    design_ids: list[str]
    certificate_design_id: str | None = Field(
        description="Deprecated: the first certificate design."
    )
    badge_design_id: str | None = Field(description="Deprecated: the first badge design.")
    email_template_id: str | None = Field(description=_EMAIL_TEMPLATE_DESCRIPTION)
    created_at: Timestamp
    updated_at: Timestamp

    @model_validator(mode="before")
    @classmethod
    def _from_view(cls, value: Any) -> Any:
        if not isinstance(value, GroupView):
            return value

        def first_of(kind: DesignType) -> str | None:
            return next((id_ for id_, type_ in value.designs if type_ == kind), None)

        return {
            "id": value.id,
            "name": value.name,
            "learning_event_url": value.learning_event_url,
            "design_ids": [design_id for design_id, _ in value.designs],
            "certificate_design_id": first_of(DesignType.certificate),
            "badge_design_id": first_of(DesignType.badge),
            "email_template_id": value.email_template_id,
            "created_at": value.created_at,
            "updated_at": value.updated_at,
        }
