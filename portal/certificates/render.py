"""The certificate PDF: data in, bytes out (one landscape US Letter page)."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import UTC, datetime, time
from functools import lru_cache

import segno
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.image_datastructures import RasterImageInfo
from fpdf.image_parsing import get_img_info
from PIL import Image

from portal.certificates.facts import CertificateData
from portal.certificates.font_files import FAMILY
from portal.certificates.typefaces import (
    OUTPUT_LOCK,
    FontCachingOutput,
    FontSet,
    fonts_install,
    glyph_memos_release,
)
from portal.timefmt import format_day

PAGE_W, PAGE_H, MARGIN = 279.4, 215.9, 16.0
TEXT_W = PAGE_W - 2 * MARGIN
INK = (25, 42, 86)
MUTED = (90, 90, 90)
DEMO_RED = (180, 30, 30)
DEMO_BAND = "DEMO — not a valid CE certificate"


def short_url(url: str) -> str:
    """The verification URL as printed: without the scheme."""
    return url.split("://", 1)[-1]


def _texts(data: CertificateData) -> tuple[str, str]:
    """All text the certificate prints in regular and in bold (it decides the fonts)."""
    bold = (
        data.sponsor_name.upper(),
        data.heading,
        data.participant_name,
        data.program_title,
        data.credit_line,
        data.retention_statement,
        data.administrator_name,
        data.sponsor_name,
        "SAMPLE" if data.sample else "",
        DEMO_BAND.upper() if data.demo else "",
    )
    regular = dict(data.to_json(), **{field: "" for field in _BOLD_ONLY})
    return json.dumps(regular, ensure_ascii=False), "\n".join(bold)


_BOLD_ONLY = ("heading", "participant_name", "program_title", "credit_line")
_BOLD_ONLY += ("retention_statement", "administrator_name")


class _CertificatePDF(FPDF):
    """An FPDF that knows its fonts: text in the fast set has its widths cached, and
    fallback fonts are switched on only for text that needs them."""

    font_set = FontSet(fast=False, fallbacks=())
    fallbacks_on = True  # fonts_install switches them on

    def fallbacks_for(self, text: str) -> None:
        """Fallback fonts on for text the main font cannot print alone, else off."""
        wanted = self.font_set.needs_fallbacks(text)
        if wanted != self.fallbacks_on:
            self.set_fallback_fonts(self.font_set.fallbacks if wanted else ())
            self.fallbacks_on = wanted


_WIDTHS: dict[tuple[str, float, str], float] = {}
_WIDTHS_MAX = 50_000


def _width(pdf: FPDF, text: str) -> float:
    """The text's width in the current font; the same words recur on every certificate,
    and fpdf's measuring costs more than the rest of the layout."""
    assert isinstance(pdf, _CertificatePDF)
    if not pdf.font_set.fast:
        return pdf.get_string_width(text)
    key = (pdf.font_style, pdf.font_size_pt, text)
    width = _WIDTHS.get(key)
    if width is None:
        if len(_WIDTHS) >= _WIDTHS_MAX:
            _WIDTHS.clear()
        pdf.fallbacks_for(text)
        width = _WIDTHS[key] = pdf.get_string_width(text)
    return width


def _fitted(pdf: FPDF, text: str, *, style: str, largest: float, smallest: float) -> float:
    """The largest size at which text fits on one line, or `smallest` (then it wraps)."""
    size = largest
    while size > smallest:
        pdf.set_font(FAMILY, style, size)
        if _width(pdf, text) <= TEXT_W:
            return size
        size -= 1
    return smallest


def _lines(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy word wrap, measuring each word once (multi_cell measures char by char)."""
    space = _width(pdf, " ")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words, used = [], 0.0
        for word in paragraph.split():
            word_w = _width(pdf, word)
            if words and used + space + word_w > width:
                lines.append(" ".join(words))
                words, used = [], 0.0
            used += (space if words else 0) + word_w
            words.append(word)
        lines.append(" ".join(words))
    return lines


def _text(
    pdf: _CertificatePDF,
    text: str,
    *,
    x: float,
    width: float,
    size: float,
    style: str = "",
    align: Align = Align.C,
    link: str = "",
) -> None:
    """Wrapped lines from (x, current y); a word wider than the box is shrunk to fit."""
    pdf.set_font(FAMILY, style, size)
    for line in _lines(pdf, text, width):
        fit = size
        while fit > 4 and _width(pdf, line) > width:
            fit -= 0.5
            pdf.set_font_size(fit)
        _line(pdf, line, x=x, width=width, height=size * 0.45, align=align, link=link)
        pdf.set_font_size(size)


def _line(
    pdf: _CertificatePDF,
    line: str,
    *,
    x: float,
    width: float,
    height: float,
    align: Align,
    link: str,
) -> None:
    """One line in a box at (x, current y), placed as fpdf's cell() places it; then the
    next line's position."""
    if pdf.font_set.needs_fallbacks(line):
        pdf.set_x(x)
        pdf.fallbacks_for(line)
        pdf.cell(width, height, line, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT, link=link)
        return
    # text() draws the same glyphs at the same place for a fifth of cell()'s cost; it
    # knows no fallback fonts, hence the test above.
    text_w, y = _width(pdf, line), pdf.y
    if align == Align.C:
        dx = (width - text_w) / 2
    elif align == Align.R:
        dx = width - pdf.c_margin - text_w
    else:
        dx = pdf.c_margin
    if line:
        pdf.text(x + dx, y + 0.5 * height + 0.3 * pdf.font_size, line)
    if link:
        pdf.link(x + dx, y + 0.5 * height - 0.5 * pdf.font_size, text_w, pdf.font_size, link)
    pdf.set_xy(x, y + height)


def _block(pdf: FPDF, text: str, *, style: str = "", size: float = 11, gap: float = 2) -> None:
    """Centered text over the text width, wrapping as needed."""
    _text(pdf, text, x=MARGIN, width=TEXT_W, size=size, style=style)
    pdf.ln(gap)


def _wrapped(pdf: FPDF, text: str, *, style: str, largest: float, smallest: float, gap: float):
    """A heading-size line that shrinks to fit, then wraps, never leaving the page width."""
    size = _fitted(pdf, text, style=style, largest=largest, smallest=smallest)
    _block(pdf, text, style=style, size=size, gap=gap)


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*INK)
    pdf.set_line_width(1.2)
    pdf.rect(7, 7, PAGE_W - 14, PAGE_H - 14)
    pdf.set_line_width(0.3)
    pdf.rect(9.5, 9.5, PAGE_W - 19, PAGE_H - 19)


def _body(pdf: FPDF, data: CertificateData) -> None:
    pdf.set_text_color(*MUTED)
    _block(pdf, data.sponsor_name.upper(), style="B", size=10, gap=1)
    pdf.set_text_color(*INK)
    _block(pdf, data.heading, style="B", size=26, gap=3)
    pdf.set_text_color(0, 0, 0)
    _block(pdf, "This certifies that", size=11, gap=1)
    _wrapped(pdf, data.participant_name, style="B", largest=28, smallest=14, gap=1)
    if data.license:
        _block(pdf, f"License: {data.license}", size=11, gap=1)
    _block(pdf, f"attended in full the {data.format.lower()}", size=11, gap=1)
    _wrapped(pdf, data.program_title, style="B", largest=16, smallest=11, gap=1)
    _block(pdf, f"presented by {data.presenter} · {data.dates}", size=11, gap=3)
    pdf.set_text_color(*INK)
    _block(pdf, data.credit_line, style="B", size=12, gap=2)
    pdf.set_text_color(0, 0, 0)
    _block(pdf, data.approval_statement, size=9, gap=1.5)
    if data.retention_statement:
        _block(pdf, data.retention_statement, style="B", size=9, gap=1.5)


SIGNATURE_PX = (744, 216)  # 62 x 18 mm at 300 dpi: as sharp as print needs


@lru_cache(maxsize=4)
def _image_info(signature: bytes) -> tuple[str, RasterImageInfo]:
    """The signature decoded and compressed once per process (fpdf would decode it for
    every PDF): on white, at most 300 dpi, in 16 shades of its own colours (a scanned
    signature stored as full-colour with transparency is most of a certificate's size)."""
    image = Image.open(io.BytesIO(signature))
    image.thumbnail(SIGNATURE_PX)
    flat = Image.new("RGB", image.size, "white")
    flat.paste(image, mask=image.convert("RGBA").getchannel("A"))
    small = flat.quantize(16, dither=Image.Dither.NONE)
    name = hashlib.md5(signature, usedforsecurity=False).hexdigest()
    return name, get_img_info(name, small, "AUTO", None)


def _signature(pdf: FPDF, data: CertificateData, signature: bytes) -> None:
    name, info = _image_info(signature)
    pdf.image_cache.images[name] = type(info)({**info, "i": 1, "usages": 0, "iccp_i": None})
    x, y = MARGIN + 4, PAGE_H - 60
    pdf.image(name, x=x, y=y, w=62, h=18, keep_aspect_ratio=True)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.3)
    pdf.line(x, y + 19, x + 66, y + 19)
    pdf.set_y(y + 20)
    _text(pdf, data.administrator_name, x=x, width=72, size=9, style="B", align=Align.L)
    for line in (data.administrator_title, data.sponsor_name):
        _text(pdf, line, x=x, width=72, size=8, align=Align.L)


def _provider(pdf: FPDF, data: CertificateData) -> None:
    x, width = MARGIN + 80, 88
    pdf.set_y(PAGE_H - 52)
    _text(pdf, data.sponsor_name, x=x, width=width, size=8, style="B")
    lines = [data.sponsor_address]
    if data.provider_number:
        lines.append(f"Provider Number {data.provider_number}")
    lines += [
        f"Certificate number {data.number}",
        f"Issued {format_day(data.issued_on)}",
    ]
    if data.supersedes:
        lines.append(f"Replaces certificate {data.supersedes}")
    for line in lines:
        _text(pdf, line, x=x, width=width, size=8)


_DARK_RUN = re.compile(rb"[\x01]+")


def _qr(pdf: FPDF, data: CertificateData) -> None:
    """The verification link as a QR code drawn in vectors, with its short URL below."""
    # A fixed mask skips segno's evaluation of all eight (most of its time); scanners
    # read any mask.
    matrix = segno.make(data.verify_url, error="m", mask=4, micro=False).matrix
    size = 30.0
    module = size / len(matrix)
    x0, y0 = PAGE_W - MARGIN - 4 - size, PAGE_H - 64
    pdf.set_fill_color(0, 0, 0)
    # One filled path for all modules (fpdf's rect() per module costs more than the
    # page), in module units: a scale-and-move puts the grid in place.
    scale = module * pdf.k
    rects = [f"q {scale:.4f} 0 0 {-scale:.4f} {x0 * pdf.k:.2f} {(pdf.h - y0) * pdf.k:.2f} cm"]
    for row, bits in enumerate(matrix):
        for run in _DARK_RUN.finditer(bytes(bits)):
            rects.append(f"{run.start()} {row} {run.end() - run.start()} 1 re")
    pdf._out("\n".join(rects) + "\nf Q")
    pdf.set_y(y0 + size + 1)
    x, width = PAGE_W - MARGIN - 74, 74
    _text(pdf, "Verify this certificate at", x=x, width=width, size=7, align=Align.R)
    url = short_url(data.verify_url)
    _text(pdf, url, x=x, width=width, size=7, align=Align.R, link=data.verify_url)


def _sample_mark(pdf: FPDF) -> None:
    """A light diagonal 'SAMPLE' so a preview is never mistaken for a certificate."""
    pdf.set_text_color(232, 232, 232)
    pdf.set_font(FAMILY, "B", 90)
    with pdf.rotation(25, PAGE_W / 2, PAGE_H / 2):
        pdf.text(PAGE_W / 2 - _width(pdf, "SAMPLE") / 2, PAGE_H / 2 + 12, "SAMPLE")
    pdf.set_text_color(0, 0, 0)


def _demo_mark(pdf: FPDF) -> None:
    """A red band across the top and a diagonal DEMO: a demo certificate is no record."""
    pdf.set_fill_color(*DEMO_RED)
    pdf.rect(9.5, 9.5, PAGE_W - 19, 7, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_y(10.4)
    _block(pdf, DEMO_BAND.upper(), style="B", size=11, gap=0)
    pdf.set_text_color(246, 222, 222)
    pdf.set_font(FAMILY, "B", 110)
    with pdf.rotation(25, PAGE_W / 2, PAGE_H / 2):
        pdf.text(PAGE_W / 2 - _width(pdf, "DEMO") / 2, PAGE_H / 2 + 14, "DEMO")
    pdf.set_text_color(0, 0, 0)


def certificate_pdf(data: CertificateData, signature: bytes) -> bytes:
    """The one-page landscape US Letter certificate PDF.

    Raises UnprintableText when a character of its text has no font that draws it.
    """
    pdf = _CertificatePDF(orientation="L", unit="mm", format="Letter")
    regular, bold = _texts(data)
    pdf.font_set = fonts_install(pdf, regular=regular, bold=bold)
    # The same data always gives the same bytes: no clock inside the file.
    pdf.set_creation_date(datetime.combine(data.issued_on, time(12), tzinfo=UTC))
    pdf.set_title(f"Certificate {data.number}")
    pdf.set_author(data.sponsor_name)
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, 20, MARGIN)
    pdf.add_page()
    if data.sample:
        _sample_mark(pdf)  # first, so that everything prints over it
    if data.demo:
        _demo_mark(pdf)
    _frame(pdf)
    pdf.set_y(18)
    _body(pdf, data)
    _signature(pdf, data, signature)
    _provider(pdf, data)
    _qr(pdf, data)
    with OUTPUT_LOCK:
        out = bytes(pdf.output(output_producer_class=FontCachingOutput))
        glyph_memos_release()
    return out
