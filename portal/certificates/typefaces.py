"""Typefaces for certificates: DejaVu Sans, with Noto fonts for the scripts it lacks.

DejaVu Sans ships in fonts/ and prints every certificate's own text. Names in other
scripts fall back to Noto fonts from Debian packages (`make fonts` installs them), found
by path: portal/certificates/font_files.py names the files. Two ways to set up a PDF's fonts:

- fast: the text is Latin (with Vietnamese), Greek or Cyrillic. DejaVu is cut once per
  process into small pieces by script; a PDF gets only the pieces its text uses, each
  embedded whole, and each piece's PDF objects are built once per process and copied
  into every PDF (fontTools subsetting would cost more than the rest of the page).
- shaped: anything else. DejaVu whole (parsed once per process) and the Noto fonts the
  name needs (added to each such PDF: parsed CJK fonts are too big to keep), text shaped
  with HarfBuzz (Arabic joining, right-to-left order, Devanagari conjuncts), subset per PDF.

This reaches into fpdf2's font classes, which are not public API: fpdf2's minor version
is pinned, and tests/certificates/test_fpdf_internals.py names every part relied upon.
"""

from __future__ import annotations

import copy
import io
import threading
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.output import OutputProducer
from fpdf.syntax import Name, PDFContentStream

from portal.certificates.font_files import (
    CJK_JP,
    CJK_KR,
    CJK_SC,
    DEJAVU,
    FALLBACKS,
    FAMILY,
    FIX,
    Face,
    FontsMissing,
    UnprintableText,
)

STYLES = ("", "B")
KANA = ((0x3040, 0x30FF), (0x31F0, 0x31FF))
HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF))

# The fast pieces of DejaVu Sans: "core" is every certificate's own text; the others
# carry the letters of names.
_PIECES: dict[str, tuple[tuple[int, int], ...]] = {
    "core": (
        (0x20, 0x7E),
        (0xA0, 0xA0),
        (0xB7, 0xB7),  # middle dot
        (0x2013, 0x2026),  # dashes, quotes, bullet, ellipsis
    ),
    "latin1": ((0xC0, 0xFF),),
    "symbols": ((0xA1, 0xB6), (0xB8, 0xBF), (0x20AC, 0x20AC), (0x2122, 0x2122)),
    "latin": (
        (0x100, 0x17F),  # Latin Extended-A
        (0x218, 0x21B),  # Romanian comma-below letters
        (0x300, 0x30F),  # common combining accents (decomposed input)
        (0x323, 0x323),
    ),
    "vietnamese": ((0x1A0, 0x1A1), (0x1AF, 0x1B0), (0x1EA0, 0x1EF9)),
    "greek": ((0x384, 0x3CE),),
    "cyrillic": ((0x400, 0x45F),),
}


def _in(codepoint: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= codepoint <= high for low, high in ranges)


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


def _family(piece: str) -> str:
    return FAMILY if piece == "core" else f"{FAMILY}-{piece}"


_ALL_PIECES = tuple(r for ranges in _PIECES.values() for r in ranges)


@lru_cache(maxsize=2)
def _fast_bytes(style: str) -> bytes:
    """DejaVu cut to every piece at once: each piece is then cut from this small font
    (cutting the whole font costs ~0.3 s; a piece from this, a few milliseconds)."""
    return _reduce(DEJAVU.path(style).read_bytes(), _ALL_PIECES)


@lru_cache(maxsize=len(_PIECES) * 2)
def _piece_bytes(piece: str, style: str) -> bytes:
    return _reduce(_fast_bytes(style), _PIECES[piece])


_PARSE_LOCK = threading.Lock()


@lru_cache(maxsize=len(_PIECES) * 2)
def _piece(piece: str, style: str) -> TTFFont:
    """A fast piece parsed, with every glyph mapped up front (the same in every PDF)."""
    key = _family(piece) + style
    font = TTFFont(FPDF(), io.BytesIO(_piece_bytes(piece, style)), key, style)  # type: ignore[arg-type]
    for codepoint in sorted(font.cmap):
        font.subset.pick(codepoint)
    font.subset.template_key = (piece, style)  # type: ignore[attr-defined]
    return font


def _path(face: Face, style: str) -> Path:
    path = face.path(style)
    if not path.is_file():
        raise FontsMissing(f"Certificate font missing: {path}\n{FIX}")
    return path


@lru_cache(maxsize=2)
def _dejavu(style: str) -> TTFFont:
    """DejaVu Sans whole, parsed once per process, for text set with shaping."""
    with _PARSE_LOCK:
        return TTFFont(FPDF(), DEJAVU.path(style), FAMILY + style, style)


@lru_cache(maxsize=64)
def _codepoints(face: Face, style: str) -> frozenset[int]:
    """Characters a face shows in one style (only these are kept: a parsed CJK font takes
    ~70 MB, so those are parsed for each PDF that needs one and then let go)."""
    font = ttLib.TTFont(_path(face, style), fontNumber=face.index, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def _cmap(face: Face) -> frozenset[int]:
    """Characters a face shows in both styles."""
    return _codepoints(face, "") & _codepoints(face, "B")


@lru_cache(maxsize=1)
def fast_codepoints() -> frozenset[int]:
    """Characters the fast pieces show (both styles), line breaks included."""
    regular, bold = (ttLib.TTFont(io.BytesIO(_fast_bytes(s))).getBestCmap() for s in STYLES)
    return frozenset(regular) & frozenset(bold) | {0x0A}


def is_fast(text: str) -> bool:
    """True when the fast pieces print every character of the text."""
    return set(map(ord, text)) <= fast_codepoints()


def _cjk_face(text: str) -> Face:
    """The CJK face whose glyph forms suit the text: Korean, Japanese, else Chinese."""
    codepoints = set(map(ord, text))
    if any(_in(c, HANGUL) for c in codepoints):
        return CJK_KR
    if any(_in(c, KANA) for c in codepoints):
        return CJK_JP
    return CJK_SC


def _shaped_faces(text: str) -> tuple[Face, ...]:
    return (DEJAVU, *FALLBACKS, _cjk_face(text))


def unprintable(text: str) -> list[str]:
    """The characters of `text` no certificate font can draw (in order, once each)."""
    if is_fast(text):
        return []
    left = {c for c in text if not c.isspace()}
    for face in _shaped_faces(text):
        left = {c for c in left if ord(c) not in _cmap(face)}
        if not left:
            return []
    return sorted(left, key=text.index)


def _clone(font: TTFFont, pdf: FPDF, ttfont: ttLib.TTFont) -> TTFFont:
    # Metrics and cmaps are read-only and shared. What a PDF writes to is its own: its
    # number, the glyph subset, missing glyphs, the descriptor that output() names, the
    # fontTools object that output() subsets in place, and HarfBuzz's font.
    clone = object.__new__(TTFFont)
    for slot in TTFFont.__slots__:
        if hasattr(font, slot):
            setattr(clone, slot, getattr(font, slot))
    clone.i = len(pdf.fonts) + 1
    clone.ttfont = ttfont
    clone.desc = copy.copy(font.desc)
    clone.missing_glyphs = []
    clone.biggest_size_pt = 0
    clone._hbfont = None
    subset = SubsetMap(clone)
    template = font.subset
    subset._next = template._next
    subset._reserved = list(template._reserved)
    subset._char_id_per_glyph = dict(template._char_id_per_glyph)
    if hasattr(template, "template_key"):
        subset.template_key = template.template_key  # type: ignore[attr-defined]
    clone.subset = subset
    pdf.fonts[clone.fontkey] = clone
    return clone


def _lazy(data: bytes | Path, index: int = 0) -> ttLib.TTFont:
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    return ttLib.TTFont(
        source, recalcTimestamp=False, recalcBBoxes=False, lazy=True, fontNumber=index
    )


@lru_cache(maxsize=len(_PIECES))
def _piece_codepoints(piece: str) -> frozenset[int]:
    return frozenset(u for low, high in _PIECES[piece] for u in range(low, high + 1))


@dataclass(frozen=True)
class FontSet:
    """The fonts a PDF got: the fast set or the shaped one, and its fallback families."""

    fast: bool
    fallbacks: tuple[str, ...]

    def needs_fallbacks(self, text: str) -> bool:
        """False when the main font alone prints the text (fpdf then lays it out in one
        piece instead of character by character)."""
        return not self.fast or not set(map(ord, text)) <= _piece_codepoints("core")


def _install_fast(pdf: FPDF, texts: dict[str, str]) -> tuple[str, ...]:
    fallbacks: list[str] = []
    used = {style: set(map(ord, text)) for style, text in texts.items()}
    for piece in _PIECES:
        for style in texts:
            if piece == "core" or used[style] & _piece_codepoints(piece):
                font = _piece(piece, style)
                # Only the output that builds a piece's PDF objects subsets (and so
                # changes) its fontTools font; later ones share the parsed one.
                built = (piece, style) in _FONT_OBJECTS
                _clone(font, pdf, font.ttfont if built else _lazy(_piece_bytes(piece, style)))
                if piece != "core" and _family(piece) not in fallbacks:
                    fallbacks.append(_family(piece))
    pdf.set_fallback_fonts(fallbacks)
    return tuple(fallbacks)


def _install_shaped(pdf: FPDF, texts: dict[str, str]) -> tuple[str, ...]:
    faces = _shaped_faces("".join(texts.values()))
    fallbacks: list[str] = []
    for style, text in texts.items():
        left = {ord(c) for c in text if not c.isspace()}
        for face in faces:
            shown = _codepoints(face, style)
            if face is DEJAVU:
                _clone(_dejavu(style), pdf, _lazy(DEJAVU.path(style)))
            elif left & shown:
                # Only the characters this PDF takes from the face: fpdf then measures a
                # few glyphs, not all 40,000 of a CJK font.
                used, path = sorted(left & shown), _path(face, style)
                pdf.add_font(
                    face.family, style, path, unicode_range=used, collection_font_number=face.index
                )
                if face.family not in fallbacks:
                    fallbacks.append(face.family)
            left -= shown
        if left:
            raise UnprintableText(sorted((chr(c) for c in left), key=text.index))
    pdf.set_fallback_fonts(fallbacks)
    pdf.set_text_shaping(True)
    return tuple(fallbacks)


def fonts_install(pdf: FPDF, *, regular: str, bold: str) -> FontSet:
    """Give a new FPDF the family FAMILY (regular and bold) with the fallbacks that print
    `regular` and `bold` text.

    Raises UnprintableText when no font draws some character, and FontsMissing when a
    font file needed is not installed.
    """
    texts = {"": regular, "B": bold}
    if is_fast(regular + bold):
        return FontSet(True, _install_fast(pdf, texts))
    if missing := unprintable(regular + bold):
        raise UnprintableText(missing)
    return FontSet(False, _install_shaped(pdf, texts))


_FONT_OBJECTS: dict[Any, tuple[list[Any], Any]] = {}
# The cached font objects are shared by every PDF and numbered anew by each output();
# outputs that use them take turns (rendering is CPU-bound under the GIL anyway).
OUTPUT_LOCK = threading.Lock()


def _squeezed(pdf_objs: list[Any]) -> list[Any]:
    """The objects with their uncompressed streams (fpdf leaves ToUnicode maps plain)
    compressed: built once, they are copied into every PDF."""
    for pdf_obj in pdf_objs:
        if isinstance(pdf_obj, PDFContentStream) and pdf_obj.filter is None:
            pdf_obj._contents = zlib.compress(pdf_obj._contents, 9)
            pdf_obj.filter = Name("FlateDecode")
            pdf_obj.length = len(pdf_obj._contents)
    return pdf_objs


def glyph_memos_release() -> None:
    """Forget fpdf's memos of glyph lookups. fpdf keeps them, keyed by each PDF's glyph
    subset, for the life of the process, and with them every PDF's fonts (~70 kB a
    certificate); they only help while a PDF is being laid out."""
    SubsetMap.pick.cache_clear()  # type: ignore[attr-defined]
    SubsetMap.get_glyph.cache_clear()  # type: ignore[attr-defined]


class FontCachingOutput(OutputProducer):
    """fpdf's output, with the PDF objects of each fast piece built once per process.

    Call it only while holding OUTPUT_LOCK.
    """

    def _fonts_only(self, fonts: dict[str, Any], *args: Any) -> dict[int, Any]:
        """fpdf's own font objects for just these fonts."""
        registry = self.fpdf.fonts
        everything = dict(registry)
        registry.clear()
        registry.update(fonts)
        try:
            return super()._add_fonts(*args)
        finally:
            registry.clear()
            registry.update(everything)

    def _add_fonts(self, *args: Any) -> dict[int, Any]:
        fonts = self.fpdf.fonts
        pieces = {k: f for k, f in fonts.items() if hasattr(f.subset, "template_key")}
        others = {k: f for k, f in fonts.items() if k not in pieces}
        result = self._fonts_only(others, *args) if others else {}
        for font in sorted(pieces.values(), key=lambda f: f.i):
            key = font.subset.template_key
            if key not in _FONT_OBJECTS:
                start = len(self.pdf_objs)
                made = self._fonts_only({font.fontkey: font}, *args)
                _FONT_OBJECTS[key] = (_squeezed(self.pdf_objs[start:]), made[font.i])
            else:
                for pdf_obj in _FONT_OBJECTS[key][0]:
                    self._add_pdf_obj(pdf_obj, "fonts")
            result[font.i] = _FONT_OBJECTS[key][1]
        return result
