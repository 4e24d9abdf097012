"""Render every starter design as a user would see it, into `.artifacts/screenshots/starters/`.

Each starter is drawn with a typical name, a long name (and a long template name), an Arabic
name and a CJK name, as PNG at the engine's own resolution, so a person can look at them:

    .venv/bin/python bench/starter_screenshots.py [STARTER_ID ...]
"""

import sys
from pathlib import Path

from laurel.gallery.starters import STARTERS
from laurel.rendering.engine import render_png
from laurel.rendering.template import fill_design

OUT = Path(__file__).resolve().parents[1] / ".artifacts" / "screenshots" / "starters"
URL = "https://laurel.example/credentials/5f0c9a52-1c51-4b44-9f0e-0a4b7c7f3e11"
BASE = {
    "recipient.name": "Ada Lovelace",
    "group.name": "Financial Markets",
    "credential.issueDate": "2026-01-05",
    "credential.publicId": "5f0c9a52-1c51-4b44-9f0e-0a4b7c7f3e11",
}
CASES = {
    "sample": {},
    "long": {
        "recipient.name": "Maximiliana Alexandrina Konstantinopolous-Wolfeschlegelsteinhausen "
        "the Third",
        "group.name": "Advanced Professional Certificate in Sustainable Finance and ESG "
        "Investment Analysis",
    },
    "arabic": {"recipient.name": "عبد الرحمن بن محمد الفلاني", "group.name": "الأسواق المالية"},
    "cjk": {"recipient.name": "山田太郎 / 张伟", "group.name": "金融市場 Financial Markets"},
}


def main(only: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for starter in STARTERS:
        if only and starter.id not in only:
            continue
        for case, values in CASES.items():
            path = OUT / f"{starter.id}-{case}.png"
            path.write_bytes(render_png(fill_design(starter.svg, BASE | values), URL))
            print(path.relative_to(OUT.parents[2]))


if __name__ == "__main__":
    main(sys.argv[1:])
