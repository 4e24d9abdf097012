"""Partial updates (PATCH): the one rule for a field sent as null that has no "no value"."""

from pydantic import BaseModel

from laurel.kit.errors import ValidationFailed


def refuse_nulls(changes: BaseModel, *fields: str) -> None:
    """400 naming the first of `fields` (all, when none are named) that a partial update sent as
    null: these fields have no "no value" to set."""
    model_fields = type(changes).model_fields
    for field in fields or tuple(model_fields):
        if field in changes.model_fields_set and getattr(changes, field) is None:
            wire = model_fields[field].alias or field
            raise ValidationFailed(f"{wire}: may not be null", param=wire)
