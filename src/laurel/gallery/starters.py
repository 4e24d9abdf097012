"""The starter designs Laurel ships: SVG files beside this module, described here.

Each starter is an ordinary design (the same SVG rules, the same attributes), so a copy in an
organization's designs is edited like any other. Ids are stable slugs: clients and docs may
name them, and a starter's id never changes meaning (a new look gets a new id).
"""

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from laurel.models import DesignType


@dataclass(frozen=True)
class Starter:
    id: str
    name: str
    type: DesignType
    size: str
    description: str

    @property
    def svg(self) -> str:
        return _read_svg(self.id)


@cache
def _read_svg(starter_id: str) -> str:
    return files(__package__).joinpath("starters", f"{starter_id}.svg").read_text("utf-8")


STARTERS: tuple[Starter, ...] = (
    Starter(
        id="classic-landscape-a4",
        name="Classic",
        type=DesignType.certificate,
        size="A4 landscape (297 x 210 mm)",
        description="Certificate of Completion: ivory paper, navy and gold double frame, "
        "a laurel crest, the recipient's name in serif italic.",
    ),
    Starter(
        id="modern-landscape-a4",
        name="Modern",
        type=DesignType.certificate,
        size="A4 landscape (297 x 210 mm)",
        description="Certificate of Achievement: a deep teal side band holding the logo and "
        "the QR code, left-aligned sans-serif type, an amber accent.",
    ),
    Starter(
        id="heritage-landscape-a4",
        name="Heritage",
        type=DesignType.certificate,
        size="A4 landscape (297 x 210 mm)",
        description="Certificate of Achievement in the manner of a diploma: a guilloché "
        "border in burgundy and gold, the QR code inside a gold seal.",
    ),
    Starter(
        id="executive-landscape-letter",
        name="Executive",
        type=DesignType.certificate,
        size="US Letter landscape (11 x 8.5 in)",
        description="Certificate of Excellence: a charcoal frame with gold art-deco corners, "
        "serif title, sans-serif details.",
    ),
    Starter(
        id="medal-round-badge",
        name="Medal",
        type=DesignType.badge,
        size="Round badge",
        description="A round medal: navy disc, gold ring and laurel, the achievement and "
        "the recipient's name.",
    ),
    Starter(
        id="ribbon-square-badge",
        name="Ribbon",
        type=DesignType.badge,
        size="Square badge",
        description="A square tile with rounded corners and a ribbon banner carrying the "
        "recipient's name under the achievement.",
    ),
)
_BY_ID = {starter.id: starter for starter in STARTERS}


def find_starter(starter_id: str) -> Starter | None:
    return _BY_ID.get(starter_id)
