"""Base models: camelCase on the wire for the Certifier-compatible API, snake_case for records."""

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from laurel.kit.errors import ValidationFailed

Item = TypeVar("Item")


class CamelModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        from_attributes=True,
        # Unknown request fields are ignored, as Certifier does, so that clients written
        # against Certifier keep working; the documented fields are validated strictly.
        extra="ignore",
    )


class SnakeModel(BaseModel):
    """Base model of the records (COSMIC-compatible) API: snake_case, read from ORM objects.

    Unknown request fields are ignored there too, so both APIs behave alike.
    """

    model_config = ConfigDict(from_attributes=True, extra="ignore")


class Data(BaseModel, Generic[Item]):
    """The records API's single-resource envelope, `{"data": {...}}`."""

    data: Item


def data_body(item: object) -> dict[str, object]:
    return {"data": item}


def refuse_nulls(changes: BaseModel, *fields: str) -> None:
    """400 naming the first of `fields` (all, when none are named) that a partial update sent as
    null: these fields have no "no value" to set."""
    model_fields = type(changes).model_fields
    for field in fields or tuple(model_fields):
        if field in changes.model_fields_set and getattr(changes, field) is None:
            wire = model_fields[field].alias or field
            raise ValidationFailed(f"{wire}: may not be null", param=wire)
