"""Certifier's deprecated request shape, translated into the current one at the edge.

In the legacy shape a template has (at most) one certificate design and one badge design,
named by `certificateDesignId` and `badgeDesignId`. The service only ever sees a full, ordered
list of `DesignChoice`s; the `required_type` keeps the old promise that the design named as the
certificate really is a certificate design.
"""

from laurel.groups.schemas import DesignChoice, GroupCreate, GroupUpdate, GroupView
from laurel.models import DesignType

_LEGACY_FIELDS = {
    DesignType.certificate: ("certificate_design_id", "certificateDesignId"),
    DesignType.badge: ("badge_design_id", "badgeDesignId"),
}


def design_choices_for_create(body: GroupCreate) -> list[DesignChoice]:
    if not body.uses_legacy_designs:
        return _choices_from_ids(body.design_ids or [])
    choices = []
    for kind, (attribute, wire_name) in _LEGACY_FIELDS.items():
        design_id = getattr(body, attribute)
        if design_id is not None:
            choices.append(DesignChoice(design_id, wire_name, kind))
    return choices


def design_choices_for_update(current: GroupView, body: GroupUpdate) -> list[DesignChoice] | None:
    """The new design list a PATCH asks for, or None when it leaves the designs alone.

    A legacy field replaces every design of its type (keeping the position of the first one) or,
    when null, removes them; designs of the other type keep their places.
    """
    if "design_ids" in body.model_fields_set:
        return _choices_from_ids(body.design_ids or [])
    if not body.uses_legacy_designs:
        return None
    choices = [DesignChoice(design_id, "designIds") for design_id, _ in current.designs]
    types = dict(current.designs)
    for kind, (attribute, wire_name) in _LEGACY_FIELDS.items():
        if attribute not in body.model_fields_set:
            continue
        positions = [i for i, choice in enumerate(choices) if types.get(choice.design_id) == kind]
        insert_at = positions[0] if positions else len(choices)
        choices = [choice for i, choice in enumerate(choices) if i not in positions]
        design_id = getattr(body, attribute)
        if design_id is not None:
            choices.insert(insert_at, DesignChoice(design_id, wire_name, kind))
    return choices


def _choices_from_ids(design_ids: list[str]) -> list[DesignChoice]:
    return [DesignChoice(design_id, f"designIds[{i}]") for i, design_id in enumerate(design_ids)]
