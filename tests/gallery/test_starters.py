"""Every starter design drawn as a user gets it: valid, on the page, its text in its boxes.

The boxes are the design's own (`fill_design`); the lines are what MuPDF actually drew in the
PDF. A starter must fit a typical name at full size, and shrink or wrap a long one, or show a
right-to-left or CJK one, without leaving its box or running into another.
"""

import re
import unicodedata
from itertools import combinations

import pymupdf
import pytest

from laurel.designs.layout import Box
from laurel.designs.svg import validate_svg
from laurel.gallery.starters import STARTERS, Starter, find_starter
from laurel.models import DesignType
from laurel.rendering.engine import render_pdf, render_png
from laurel.rendering.formats import PNG_DPI
from laurel.rendering.template import FilledDesign, fill_design

URL = "https://laurel.example/credentials/5f0c9a52-1c51-4b44-9f0e-0a4b7c7f3e11"
VALUES = {
    "recipient.name": "Ada Lovelace",
    "group.name": "Financial Markets",
    "credential.issueDate": "2026-01-05",
    "credential.publicId": "5f0c9a52-1c51-4b44-9f0e-0a4b7c7f3e11",
}
LONG_NAME = "Maximiliana Alexandrina Konstantinopolous-Wolfeschlegelsteinhausen the Third"
LONG_GROUP = "Advanced Professional Certificate in Sustainable Finance and ESG Investment Analysis"
NAMES = {
    "long": LONG_NAME,
    "arabic": "عبد الرحمن بن محمد الفلاني",
    "cjk": "山田太郎 / 张伟",
}
A4 = 297 / 210
LETTER = 11 / 8.5
# MuPDF's SVG interpreter draws flat colours only: these would come out black or be ignored.
UNDRAWN = re.compile(
    r"<(linearGradient|radialGradient|pattern|clipPath|mask|filter)\b|stroke-dasharray"
)


def _ids(starters: tuple[Starter, ...]) -> list[str]:
    return [starter.id for starter in starters]


CERTIFICATES = tuple(s for s in STARTERS if s.type == DesignType.certificate)
BADGES = tuple(s for s in STARTERS if s.type == DesignType.badge)
each_starter = pytest.mark.parametrize("starter", STARTERS, ids=_ids(STARTERS))


def _lines(pdf: bytes) -> list[tuple[str, pymupdf.Rect, float]]:
    """The PDF's text lines: their text, the box of their glyphs and their largest font size."""
    found = []
    for block in pymupdf.open("pdf", pdf)[0].get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            glyphs = pymupdf.Rect()
            for span in line["spans"]:
                baseline, size = span["origin"][1], span["size"]
                top = baseline - span["ascender"] * size
                bottom = baseline - span["descender"] * size
                glyphs |= pymupdf.Rect(span["bbox"][0], top, span["bbox"][2], bottom)
            text = unicodedata.normalize("NFKC", "".join(span["text"] for span in line["spans"]))
            found.append((text, glyphs, max(span["size"] for span in line["spans"])))
    return found


def _inside(rect: pymupdf.Rect, box: Box, slack: float = 1.5) -> bool:
    return (
        rect.x0 >= box.x - slack
        and rect.x1 <= box.x + box.width + slack
        and rect.y0 >= box.y - slack
        and rect.y1 <= box.y + box.height + slack
    )


def _overlap(a: Box, b: Box) -> bool:
    return (
        a.x < b.x + b.width
        and b.x < a.x + a.width
        and a.y < b.y + b.height
        and b.y < a.y + a.height
    )


def _lines_by_box(design: FilledDesign, pdf: bytes) -> dict[int, list[tuple[str, float]]]:
    """Each drawn line under the text box it lies in; a line outside every box fails."""
    by_box: dict[int, list[tuple[str, float]]] = {index: [] for index in range(len(design.texts))}
    for text, rect, size in _lines(pdf):
        homes = [i for i, box in enumerate(design.texts) if _inside(rect, box.box)]
        assert homes, f"{text!r} at {rect} is outside every text box"
        by_box[homes[0]].append((text, size))
    return by_box


def test_the_gallery_has_four_certificates_and_two_badges() -> None:
    assert len(CERTIFICATES) >= 4 and len(BADGES) >= 2
    assert len(set(_ids(STARTERS))) == len(STARTERS)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", starter.id) for starter in STARTERS)
    ratios = [(d.width / d.height) for d in (fill_design(s.svg, {}) for s in CERTIFICATES)]
    assert all(r == pytest.approx(A4, rel=0.005) or r == pytest.approx(LETTER) for r in ratios)
    assert any(r == pytest.approx(LETTER) for r in ratios)
    assert {s.size for s in BADGES} >= {"Round badge", "Square badge"}
    assert find_starter("classic-landscape-a4") is CERTIFICATES[0]
    assert find_starter("nope") is None


@each_starter
def test_a_starter_is_a_valid_design_of_what_the_renderer_draws(starter: Starter) -> None:
    validate_svg(starter.svg, requires_recipient_name=starter.type == DesignType.certificate)
    assert not UNDRAWN.search(starter.svg)
    assert 'id="logo"' in starter.svg
    wanted = ["[recipient.name]", "[group.name]"]
    if starter.type == DesignType.certificate:
        wanted += ["[credential.issueDate]", "data-qr="]
    assert all(attribute in starter.svg for attribute in wanted)


@each_starter
def test_text_boxes_are_on_the_page_and_apart(starter: Starter) -> None:
    design = fill_design(starter.svg, VALUES)
    boxes = [text.box for text in design.texts] + design.qr_boxes
    page = Box(0, 0, design.width, design.height)
    assert all(
        _inside(pymupdf.Rect(b.x, b.y, b.x + b.width, b.y + b.height), page, 0) for b in boxes
    )
    for first, second in combinations(boxes, 2):
        assert not _overlap(first, second), (first, second)
    assert len(design.qr_boxes) == (1 if starter.type == DesignType.certificate else 0)


@each_starter
def test_typical_values_are_drawn_whole_at_full_size(starter: Starter) -> None:
    design = fill_design(starter.svg, VALUES)
    pdf = render_pdf(design, URL)
    for index, lines in _lines_by_box(design, pdf).items():
        box = design.texts[index]
        assert [text for text, _ in lines] == [box.text], box
        assert all(size == pytest.approx(box.font_size, rel=0.01) for _, size in lines), box
    png = pymupdf.Pixmap(render_png(design, URL))
    scale = PNG_DPI / 72
    assert (png.width, png.height) == (round(design.width * scale), round(design.height * scale))


@each_starter
@pytest.mark.parametrize("case", NAMES)
def test_long_and_other_script_names_stay_in_their_box(starter: Starter, case: str) -> None:
    name = NAMES[case]
    values = VALUES | {"recipient.name": name, "group.name": LONG_GROUP if case == "long" else "X"}
    design = fill_design(starter.svg, values)
    pdf = render_pdf(design, URL)
    (name_box,) = [i for i, text in enumerate(design.texts) if text.text == name]
    name_lines = _lines_by_box(design, pdf)[name_box]
    drawn = "".join(text for text, _ in name_lines)
    if case == "long":
        assert drawn.replace("-", "").replace(" ", "") == name.replace("-", "").replace(" ", "")
        assert all(size < design.texts[name_box].font_size for _, size in name_lines)
    elif case == "cjk":
        assert drawn == name
    else:  # Arabic comes out shaped, in visual order: its words, in a font that has them
        fonts = [font[3] for font in pymupdf.open("pdf", pdf)[0].get_fonts()]
        assert any("Arabic" in font for font in fonts), fonts
        assert len(drawn.split()) == len(name.split())  # shaped glyphs, word by word
    for block in pymupdf.open("pdf", pdf)[0].get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                assert all(char["c"] != "\ufffd" for char in span["chars"])


@pytest.mark.parametrize("starter", CERTIFICATES, ids=_ids(CERTIFICATES))
def test_the_qr_code_is_drawn_in_its_place(starter: Starter) -> None:
    design = fill_design(starter.svg, VALUES)
    (box,) = design.qr_boxes
    page = pymupdf.open("pdf", render_pdf(design, URL))[0]
    modules = [
        item
        for drawing in page.get_drawings()
        for item in drawing["items"]
        if item[0] == "re" and _inside(item[1], box, slack=0.01) and drawing["fill"] == (0, 0, 0)
    ]
    assert len(modules) > 100
