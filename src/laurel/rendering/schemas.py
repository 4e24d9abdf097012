"""Shapes of the rendering routes' answers (Certifier's wire format: camelCase)."""

from typing import Literal

from pydantic import Field

from laurel.issuer_api import CamelModel

PreviewFormat = Literal["png", "pdf"]


class Preview(CamelModel):
    format: PreviewFormat
    url: str = Field(
        description="Immutable, and needs no token, once the credential is issued; while it is a "
        "draft, the issuer API's render of it (token needed)."
    )


class CredentialDesign(CamelModel):
    id: str
    name: str
    previews: list[Preview]
