"""Certificates and badges drawn with MuPDF (PyMuPDF): vector PDF and PNG from one page.

Why MuPDF (docs/rendering.md): it lays out text with HarfBuzz and the Unicode bidi algorithm
(Arabic joins, Hebrew reads right to left, CJK finds a font), ships the Noto fallback fonts in
its wheel (nothing to install beside pip), embeds and subsets fonts so PDF text stays
selectable, and rasterizes the same page for the PNG, so both formats look alike. A filled
design's art is converted from SVG as it is; its text boxes are laid out by MuPDF's HTML engine,
which shrinks a long value (then wraps it) until it fits its box.

Everything here is synchronous and CPU-bound, and a design can make it run for minutes: it is
called only inside a render worker process (`rendering/pool.py`), which can be killed.
"""

import html
import re
from collections.abc import Mapping

import pymupdf
import qrcode

from laurel.designs.layout import Box
from laurel.rendering.formats import PNG_DPI, Format
from laurel.rendering.template import FilledDesign, TextBox, fill_design, fill_svg

_HEX_COLOR = re.compile(r"#[0-9a-f]{6}")
_ALIGNS = frozenset({"left", "center", "right"})
_FAMILIES = frozenset({"serif", "sans-serif"})


def _text_html(text: TextBox) -> tuple[str, str]:
    """The markup and CSS of one text box. Nothing of the design is pasted in: each CSS value
    is a number or one of a few words (the template parsed the design's), and the value is
    escaped into the markup, so a colour `red} p{display:none}` cannot hide the name."""
    color = text.color if _HEX_COLOR.fullmatch(text.color) else "#000000"
    align = text.align if text.align in _ALIGNS else "left"
    family = text.family if text.family in _FAMILIES else "serif"
    css = (
        f"p {{margin:0; line-height:1.15; text-align:{align}; color:{color};"
        f" font-size:{text.font_size:.2f}px; font-family:{family};"
        f" font-weight:{'bold' if text.bold else 'normal'};"
        f" font-style:{'italic' if text.italic else 'normal'}}}"
    )
    return f'<p dir="auto">{html.escape(text.text)}</p>', css


def _rect(box: Box) -> pymupdf.Rect:
    return pymupdf.Rect(box.x, box.y, box.x + box.width, box.y + box.height)


def _draw_qr(page: pymupdf.Page, box: Box, url: str) -> None:
    """The QR code as vector squares: sharp at any zoom, tiny in the PDF."""
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    side = min(box.width, box.height) / len(matrix)
    shape = page.new_shape()
    for row, cells in enumerate(matrix):
        column = 0
        while column < len(cells):
            if not cells[column]:
                column += 1
                continue
            run = column
            while run < len(cells) and cells[run]:
                run += 1
            x, y = box.x + column * side, box.y + row * side
            shape.draw_rect(pymupdf.Rect(x, y, box.x + run * side, y + side))
            column = run
    shape.finish(color=None, fill=(0, 0, 0), width=0)
    shape.commit()


def _page(design: FilledDesign, qr_url: str | None) -> pymupdf.Document:
    art = pymupdf.open(stream=design.art_svg, filetype="svg")
    art_pdf = pymupdf.open("pdf", art.convert_to_pdf())
    document = pymupdf.open()
    page = document.new_page(width=design.width, height=design.height)
    page.show_pdf_page(page.rect, art_pdf, 0)
    for text in design.texts:
        body, css = _text_html(text)
        # scale_low=0: shrink as far as needed; nothing ever spills out of its box.
        page.insert_htmlbox(_rect(text.box), body, css=css, scale_low=0)
    if qr_url is not None:
        for box in design.qr_boxes:
            _draw_qr(page, box, qr_url)
    return document


def render_pdf(design: FilledDesign, qr_url: str | None) -> bytes:
    document = _page(design, qr_url)
    document.subset_fonts()
    return bytes(document.tobytes(garbage=3, deflate=True))


def render_png(design: FilledDesign, qr_url: str | None) -> bytes:
    document = _page(design, qr_url)
    return bytes(document[0].get_pixmap(dpi=PNG_DPI).tobytes("png"))


def draw(fmt: Format, svg: str, values: Mapping[str, str | None], qr_url: str) -> bytes:
    """A design filled in with `values`: an SVG as text, or a PDF or PNG drawn by MuPDF."""
    if fmt == "svg":
        return fill_svg(svg, values)
    design = fill_design(svg, values)
    return render_pdf(design, qr_url) if fmt == "pdf" else render_png(design, qr_url)
