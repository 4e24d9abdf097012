from pydantic import Field

from laurel.designs.schemas import DesignName
from laurel.gallery.starters import Starter
from laurel.issuer_api import CamelModel
from laurel.models import DesignType


class StarterRead(CamelModel):
    """A starter design of the gallery: read it, preview it, copy it into your designs."""

    id: str = Field(description="A stable slug, such as `classic-landscape-a4`.")
    name: str
    type: DesignType
    size: str = Field(description="The page or badge size, as a person would say it.")
    description: str
    svg: str = Field(description="The SVG template, as a copy starts out.")
    preview_url: str = Field(description="The starter drawn with sample values, as PNG.")

    @classmethod
    def of(cls, starter: Starter, preview_url: str) -> "StarterRead":
        return cls(
            id=starter.id,
            name=starter.name,
            type=starter.type,
            size=starter.size,
            description=starter.description,
            svg=starter.svg,
            preview_url=preview_url,
        )


class StarterCopy(CamelModel):
    name: DesignName | None = Field(
        default=None, description="The new design's name; the starter's name when left out."
    )
