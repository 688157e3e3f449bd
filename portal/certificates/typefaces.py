"""DejaVu Sans for certificates: parsed once per process, embedded without re-subsetting.

Most of a one-page PDF's cost is the font: parsing the TTF (add_font), then fontTools
subsetting it and building its PDF objects in output() (~10 ms per font even for a few
glyphs). So the shipped fonts are reduced once, in memory, to the scripts names here are
written in (Latin with Vietnamese, Greek, Cyrillic); every glyph of that reduced font is
mapped up front, so each PDF embeds the same font program, and the font's PDF objects are
built once per process and copied into every PDF. Text outside those scripts falls back
to the full fonts, subset per PDF (slower, same look).
"""

from __future__ import annotations

import copy
import io
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.output import OutputProducer

FONTS_DIR = Path(__file__).parent / "fonts"
FAMILY = "dejavu"
FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
Tier = Literal["fast", "broad", "full"]
TIERS: tuple[Tier, ...] = ("fast", "broad", "full")
# fast: the everyday letters of names written in Latin (with Vietnamese and Romanian),
# Greek and Cyrillic; embedded whole, so every PDF shares one font program.
# broad: more scripts DejaVu Sans covers, subset per PDF. full: the font as shipped.
_RANGES: dict[Tier, tuple[tuple[int, int], ...]] = {
    "fast": (
        (0x20, 0x7E),
        (0xA0, 0x17F),  # Latin-1, Latin Extended-A
        (0x1A0, 0x1A1),  # Vietnamese horned letters
        (0x1AF, 0x1B0),
        (0x218, 0x21B),  # Romanian comma-below letters
        (0x300, 0x30F),  # common combining accents (decomposed input)
        (0x323, 0x323),
        (0x384, 0x3CE),  # Greek
        (0x400, 0x45F),  # Cyrillic
        (0x1EA0, 0x1EF9),  # Vietnamese
        (0x2013, 0x2026),  # dashes, quotes, bullet, ellipsis
        (0x20AC, 0x20AC),
        (0x2122, 0x2122),
    ),
    "broad": (
        (0x20, 0x7E),
        (0xA0, 0x5FF),  # Latin, IPA, marks, Greek, Cyrillic, Armenian, Hebrew
        (0x10A0, 0x10FF),  # Georgian
        (0x1E00, 0x1FFF),  # Latin Extended Additional, Greek Extended
        (0x2000, 0x218F),  # punctuation, currency, letterlike symbols, number forms
    ),
}


def _reduce(raw: bytes, ranges: tuple[tuple[int, int], ...]) -> bytes:
    font = ttLib.TTFont(io.BytesIO(raw), recalcTimestamp=False)
    # Hinting only matters on low-resolution screens; dropping it halves the font.
    options = ftsubset.Options(
        glyph_names=True, notdef_outline=True, recommended_glyphs=True, hinting=False
    )
    options.layout_features = []
    options.name_IDs = ["*"]  # keep the copyright and license names
    options.drop_tables += ["FFTM", "GPOS", "GSUB", "GDEF", "MATH"]
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(unicodes=[u for low, high in ranges for u in range(low, high + 1)])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@lru_cache(maxsize=3)
def _font_bytes(tier: Tier) -> dict[str, bytes]:
    raw = {FAMILY + style: (FONTS_DIR / name).read_bytes() for style, name in FILES.items()}
    if tier == "full":
        return raw
    return {key: _reduce(data, _RANGES[tier]) for key, data in raw.items()}


@lru_cache(maxsize=3)
def _parsed(tier: Tier) -> dict[str, TTFFont]:
    """Parsed fonts by fpdf font key (the expensive step, once per process)."""
    holder = FPDF()
    fonts = {}
    for key, data in _font_bytes(tier).items():
        font = TTFFont(holder, io.BytesIO(data), key, key.removeprefix(FAMILY))  # type: ignore[arg-type]
        holder.fonts[key] = font
        if tier == "fast":
            for codepoint in sorted(font.cmap):
                font.subset.pick(codepoint)
            font.subset.template_key = (tier, key)  # type: ignore[attr-defined]
        fonts[key] = font
    return fonts


@lru_cache(maxsize=3)
def tier_codepoints(tier: Tier) -> frozenset[int]:
    """Characters a tier's fonts show (both weights)."""
    regular, bold = _parsed(tier).values()
    return frozenset(regular.cmap) & frozenset(bold.cmap) | {0x0A}


def tier_for(text: str) -> Tier:
    """The fastest tier whose fonts show every character of the text."""
    used = set(map(ord, text))
    return next((t for t in TIERS[:-1] if used <= tier_codepoints(t)), "full")


def _subset_copy(font: TTFFont, into: TTFFont) -> SubsetMap:
    subset = SubsetMap(into)
    template = font.subset
    subset._next = template._next
    subset._reserved = list(template._reserved)
    subset._char_id_per_glyph = dict(template._char_id_per_glyph)
    if hasattr(template, "template_key"):
        subset.template_key = template.template_key  # type: ignore[attr-defined]
    return subset


def _clone(font: TTFFont, data: bytes) -> TTFFont:
    # Metrics and cmaps are read-only and shared. What a PDF writes to is its own: the
    # glyph subset, missing glyphs, the descriptor that output() names and numbers, and
    # the fontTools object that output() subsets in place.
    clone = object.__new__(TTFFont)
    for slot in TTFFont.__slots__:
        if hasattr(font, slot):
            setattr(clone, slot, getattr(font, slot))
    clone.ttfont = ttLib.TTFont(
        io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False, lazy=True
    )
    clone.desc = copy.copy(font.desc)
    clone.missing_glyphs = []
    clone.biggest_size_pt = 0
    clone.subset = _subset_copy(font, clone)
    return clone


def fonts_install(pdf: FPDF, text: str) -> None:
    """Give a new FPDF the DejaVu Sans family (regular and bold) able to show `text`."""
    tier = tier_for(text)
    data = _font_bytes(tier)
    for key, font in _parsed(tier).items():
        pdf.fonts[key] = _clone(font, data[key])


_FONT_OBJECTS: dict[tuple[Any, ...], tuple[list[Any], dict[int, Any]]] = {}
# The cached font objects are shared by every PDF and numbered anew by each output();
# outputs that use them take turns (rendering is CPU-bound under the GIL anyway).
OUTPUT_LOCK = threading.Lock()


class FontCachingOutput(OutputProducer):
    """fpdf's output, with the font objects of the fast fonts built once per process.

    Call it only while holding OUTPUT_LOCK.
    """

    def _add_fonts(self, *args: Any) -> dict[int, Any]:
        fonts = sorted(self.fpdf.fonts.values(), key=lambda font: font.i)
        key = tuple(
            (f.fontkey, f.i, getattr(f.subset, "template_key", None), len(f.subset)) for f in fonts
        )
        if any(part[2] is None for part in key):
            return super()._add_fonts(*args)
        if key not in _FONT_OBJECTS:
            start = len(self.pdf_objs)
            result = super()._add_fonts(*args)
            _FONT_OBJECTS[key] = (self.pdf_objs[start:], result)
            return result
        created, result = _FONT_OBJECTS[key]
        for pdf_obj in created:
            self._add_pdf_obj(pdf_obj, "fonts")
        return dict(result)
