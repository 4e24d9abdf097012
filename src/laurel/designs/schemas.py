from typing import Annotated

from pydantic import Field, StringConstraints

from laurel.kit.schemas import CamelModel
from laurel.kit.timestamps import Timestamp
from laurel.models import DesignType

DesignName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class DesignCreate(CamelModel):
    name: DesignName = Field(description="The design's name, shown in listings.")
    type: DesignType = Field(description="`certificate` or `badge`.")
    svg: str = Field(
        description="An SVG template; text may contain attributes such as `[recipient.name]`, "
        "`[group.name]`, `[credential.issueDate]`. At most 512 KiB, no scripts or external "
        "references. A certificate design must show `[recipient.name]`."
    )


class DesignUpdate(CamelModel):
    """Only the fields sent are changed."""

    name: DesignName | None = None
    type: DesignType | None = None
    svg: str | None = None


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
