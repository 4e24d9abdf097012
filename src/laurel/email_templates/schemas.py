"""Email template shapes: a name, a one-line subject and a plain-text body with `[attributes]`."""

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from laurel.issuer_api import CamelModel
from laurel.kit.fields import sent_at_most
from laurel.kit.timestamps import Timestamp

MAX_NAME = 255
MAX_SUBJECT = 255
MAX_BODY = 20_000


def _one_line(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("must be one line (no line breaks)")
    return value


def _unix_newlines(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


TemplateName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME),
    sent_at_most(MAX_NAME),
]
Subject = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SUBJECT),
    sent_at_most(MAX_SUBJECT),
    AfterValidator(_one_line),
]
Body = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BODY),
    sent_at_most(MAX_BODY),
    AfterValidator(_unix_newlines),
]

_NAME_DESCRIPTION = "The template's name, shown in listings (1-255 characters)."
_SUBJECT_DESCRIPTION = (
    "The email's subject, one line of at most 255 characters; may contain attributes such as "
    "`[recipient.name]`, `[group.name]`, `[issuer.name]` or `[custom.mentor]`."
)
_BODY_DESCRIPTION = (
    "Plain text (not HTML), at most 20,000 characters; a blank line separates paragraphs. May "
    "contain the same attributes as the subject. The button to the credential's page follows it."
)


class EmailTemplateCreate(CamelModel):
    name: TemplateName = Field(description=_NAME_DESCRIPTION)
    subject: Subject = Field(description=_SUBJECT_DESCRIPTION)
    body: Body = Field(description=_BODY_DESCRIPTION)


class EmailTemplateUpdate(CamelModel):
    """Only the fields sent change; none of them may be null."""

    name: TemplateName | None = Field(default=None, description=_NAME_DESCRIPTION)
    subject: Subject | None = Field(default=None, description=_SUBJECT_DESCRIPTION)
    body: Body | None = Field(default=None, description=_BODY_DESCRIPTION)


class EmailTemplateRead(CamelModel):
    id: str
    name: str
    subject: str
    body: str
    created_at: Timestamp
    updated_at: Timestamp
