"""The rendering engine against the design's own geometry: text in its box, text extractable."""

import unicodedata

import pymupdf
import pytest
import qrcode

from laurel.designs.layout import Box
from laurel.rendering.engine import render_pdf, render_png
from laurel.rendering.formats import PNG_DPI
from laurel.rendering.template import fill_design, fill_svg

DESIGN = """<svg xmlns="http://www.w3.org/2000/svg" width="842" height="595" viewBox="0 0 842 595">
<rect width="842" height="595" fill="#fdf8ee"/>
<rect x="20" y="20" width="802" height="555" fill="none" stroke="#b8860b" stroke-width="6"/>
<text x="421" y="110" font-size="40" text-anchor="middle">Certificate of Completion</text>
<text x="421" y="240" font-size="48" text-anchor="middle" font-weight="bold"
  data-width="600">[recipient.name]</text>
<text x="421" y="320" text-anchor="middle"
  style="font-size: 28px; fill: #444; font-family: Helvetica, sans-serif">[group.name]</text>
<text x="60" y="540" font-size="14">Issued [credential.issueDate]</text>
<rect data-qr="verify" x="700" y="440" width="100" height="100"/>
</svg>"""
VALUES = {
    "recipient.name": "Ada Lovelace",
    "group.name": "Financial Markets",
    "credential.issueDate": "2026-01-05",
}
URL = "https://laurel.example/credentials/5f0c9a52-1c51-4b44-9f0e-0a4b7c7f3e11"


def _page(values: dict[str, str], url: str | None = URL) -> pymupdf.Page:
    document = pymupdf.open("pdf", render_pdf(fill_design(DESIGN, values), url))
    return document[0]


def _lines(page: pymupdf.Page) -> list[tuple[str, pymupdf.Rect, float]]:
    """Each text line of the page: its text, the box of its glyphs and its largest font size.

    A glyph reaches from the baseline up by the font's ascender and down by its descender (the
    extractor's own bbox adds the font's line gap, which is not ink).
    """
    found = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            spans = line["spans"]
            glyphs = pymupdf.Rect()
            for span in spans:
                baseline, size = span["origin"][1], span["size"]
                top, bottom = (
                    baseline - span["ascender"] * size,
                    baseline - span["descender"] * size,
                )
                glyphs |= pymupdf.Rect(span["bbox"][0], top, span["bbox"][2], bottom)
            # NFKC undoes the serif font's ligatures (ﬁ, ﬀ) as a reader copying the text would.
            text = unicodedata.normalize("NFKC", "".join(span["text"] for span in spans))
            found.append((text, glyphs, max(span["size"] for span in spans)))
    return found


def _name_lines(page: pymupdf.Page) -> list[tuple[str, pymupdf.Rect, float]]:
    """The lines of the recipient's name: all but the design's three other texts."""
    others = ("Certificate of Completion", "Financial Markets", "Issued 2026-01-05")
    return [line for line in _lines(page) if line[0] not in others]


def _inside(rect: pymupdf.Rect, box: Box, slack: float = 1.5) -> bool:
    return (
        rect.x0 >= box.x - slack
        and rect.x1 <= box.x + box.width + slack
        and rect.y0 >= box.y - slack
        and rect.y1 <= box.y + box.height + slack
    )


def test_the_pdf_text_is_the_attribute_values() -> None:
    texts = [text for text, _, _ in _lines(_page(VALUES))]
    assert texts == [
        "Certificate of Completion",
        "Ada Lovelace",
        "Financial Markets",
        "Issued 2026-01-05",
    ]


def test_each_text_stays_inside_its_box() -> None:
    design = fill_design(DESIGN, VALUES)
    lines = _lines(_page(VALUES))
    for text_box, (_, rect, size) in zip(design.texts, lines, strict=True):
        assert _inside(rect, text_box.box), (text_box.text, rect, text_box.box)
        assert size == pytest.approx(text_box.font_size, rel=0.01)


@pytest.mark.parametrize(
    "name",
    [
        "Maximiliana Alexandrina Konstantinopolous-Wolfeschlegelsteinhausenbergerdorff the Third",
        "W" * 60,
    ],
)
def test_a_long_name_shrinks_or_wraps_inside_its_box(name: str) -> None:
    design = fill_design(DESIGN, VALUES | {"recipient.name": name})
    box = design.texts[1].box
    name_lines = _name_lines(_page(VALUES | {"recipient.name": name}))
    assert "".join(t for t, _, _ in name_lines).replace("-", "") == name.replace("-", "")
    for _, rect, size in name_lines:
        assert _inside(rect, box), (rect, box)
        assert size < 48


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "]]> & \"quotes\" 'too'"])
def test_markup_in_a_value_is_drawn_as_text(name: str) -> None:
    texts = [text for text, _, _ in _lines(_page(VALUES | {"recipient.name": name}))]
    assert name in texts
    svg = fill_svg(DESIGN, VALUES | {"recipient.name": name}).decode()
    assert "<script>" not in svg and pymupdf.open(stream=svg.encode(), filetype="svg")


@pytest.mark.parametrize(
    ("name", "font"),
    [
        ("שלום עולם", "Hebrew"),
        ("محمد علي", "Arabic"),
        ("田中 太郎", ""),
        ("Ελένη Παπαδοπούλου", ""),
    ],
)
def test_other_scripts_render_with_fonts_that_have_them(name: str, font: str) -> None:
    page = _page(VALUES | {"recipient.name": name})
    design = fill_design(DESIGN, VALUES | {"recipient.name": name})
    [(text, rect, _)] = _name_lines(page)
    assert _inside(rect, design.texts[1].box)
    fonts = [entry[3] for entry in page.get_fonts()]
    assert any(font in name_ for name_ in fonts), fonts
    if font != "Arabic":  # Arabic comes out in visual order, as most PDF extractors give it
        assert text == name
    # No glyph fell back to the "missing" box: every span's font covers its text.
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                assert all(char["c"] != "\ufffd" for char in span["chars"])


def test_fonts_are_embedded_and_the_art_stays_vector() -> None:
    page = _page(VALUES)
    for xref, extension, *_ in page.get_fonts():
        assert extension != "n/a", f"font {xref} is not embedded"
    assert page.get_images() == []
    assert len(page.get_drawings()) >= 2  # the background and the border, as paths


def test_the_qr_code_encodes_the_verification_url() -> None:
    page = _page(VALUES)
    box = fill_design(DESIGN, VALUES).qr_boxes[0]
    expected = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    expected.add_data(URL)
    expected.make(fit=True)
    matrix = expected.get_matrix()
    side = box.width / len(matrix)
    drawn = [[False] * len(matrix) for _ in matrix]
    for drawing in page.get_drawings():
        for item in drawing["items"]:
            if item[0] != "re" or not _inside(item[1], box, slack=0.01):
                continue
            rect = item[1]
            row = round((rect.y0 - box.y) / side)
            for column in range(round((rect.x0 - box.x) / side), round((rect.x1 - box.x) / side)):
                drawn[row][column] = True
    assert drawn == matrix


def test_the_png_is_the_same_page_at_144_dpi() -> None:
    png = render_png(fill_design(DESIGN, VALUES), URL)
    image = pymupdf.Pixmap(png)
    assert (image.width, image.height) == (round(842 * PNG_DPI / 72), round(595 * PNG_DPI / 72))
