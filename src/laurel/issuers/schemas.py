from typing import Literal

from pydantic import Field

from laurel.issuer_api import CamelModel
from laurel.kit.fields import EmailAddress, HttpUrlText

Cryptosuite = Literal["eddsa-rdfc-2022", "eddsa-jcs-2022"]
DidMethod = Literal["web", "key"]


class IssuerUpdate(CamelModel):
    """Only what is sent changes; `null` clears an optional field."""

    url: HttpUrlText | None = None
    email: EmailAddress | None = None
    image: HttpUrlText | None = None
    description: str | None = Field(default=None, max_length=5000)
    cryptosuite: Cryptosuite | None = None
    did_method: DidMethod | None = None
