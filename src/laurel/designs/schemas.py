from typing import Annotated

from pydantic import Field, StringConstraints

from laurel.designs.svg import MAX_SVG_BYTES
from laurel.issuer_api import CamelModel
from laurel.kit.fields import sent_at_most
from laurel.kit.timestamps import Timestamp
from laurel.models import DesignType

DesignName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255), sent_at_most(255)
]
# 512 KiB in characters; designs/svg.py then holds the encoded SVG to 512 KiB of bytes.
SvgText = Annotated[str, StringConstraints(max_length=MAX_SVG_BYTES)]


class DesignCreate(CamelModel):
    name: DesignName = Field(description="The design's name, shown in listings.")
    type: DesignType = Field(description="`certificate` or `badge`.")
    svg: SvgText = Field(
        description="An SVG template; text may contain attributes such as `[recipient.name]`, "
        "`[group.name]`, `[credential.issueDate]`. At most 512 KiB, no scripts or external "
        "references. A certificate design must show `[recipient.name]`."
    )


class DesignUpdate(CamelModel):
    """Only the fields sent are changed."""

    name: DesignName | None = None
    type: DesignType | None = None
    svg: SvgText | None = None


class DesignRead(CamelModel):
    id: str
    name: str
    type: DesignType
    svg: str
    preview_url: str | None = Field(
        default=None, description="Rendered preview; null until rendering is available."
    )
    created_at: Timestamp
    updated_at: Timestamp
