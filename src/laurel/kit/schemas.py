"""Base models for the Certifier-compatible API: camelCase on the wire, snake_case in Python."""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


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
