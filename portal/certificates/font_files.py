"""The font files certificates are printed with: where they are and whether they are installed.

Plain paths, free of fpdf and fontTools, so the server start, the command line and
`make fonts` check the fonts without loading the renderer (portal/certificates/typefaces.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FONTS_DIR = Path(__file__).parent / "fonts"
NOTO_DIR = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK_DIR = Path("/usr/share/fonts/opentype/noto")
FAMILY = "dejavu"
FIX = "Run `make fonts` (it installs the Debian packages fonts-noto-core and fonts-noto-cjk)."


@dataclass(frozen=True)
class Face:
    """One typeface in regular and bold: its fpdf family name and files."""

    family: str
    regular: Path
    bold: Path
    index: int = 0  # the face in a font collection (.ttc)

    def path(self, style: str) -> Path:
        """The file of a style ('' or 'B')."""
        return self.bold if style == "B" else self.regular


DEJAVU = Face(FAMILY, FONTS_DIR / "DejaVuSans.ttf", FONTS_DIR / "DejaVuSans-Bold.ttf")


def _noto(script: str) -> Face:
    prefix = NOTO_DIR / f"NotoSans{script}"
    return Face(f"noto-{script.lower()}", Path(f"{prefix}-Regular.ttf"), Path(f"{prefix}-Bold.ttf"))


def _cjk(region: str, index: int) -> Face:
    regular, bold = NOTO_CJK_DIR / "NotoSansCJK-Regular.ttc", NOTO_CJK_DIR / "NotoSansCJK-Bold.ttc"
    return Face(f"noto-cjk-{region}", regular, bold, index)


# Scripts DejaVu lacks, in the order fallbacks are tried.
_SCRIPTS = "Arabic Hebrew Devanagari Bengali Gurmukhi Gujarati Tamil Telugu Kannada Malayalam"
FALLBACKS = tuple(_noto(script) for script in [*_SCRIPTS.split(), "Thai", "Ethiopic"])
CJK_JP, CJK_KR, CJK_SC = _cjk("jp", 0), _cjk("kr", 1), _cjk("sc", 2)


class UnprintableText(ValueError):
    """Text with characters no installed font can draw."""

    def __init__(self, characters: list[str]) -> None:
        self.characters = characters
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in characters)
        super().__init__(f"No font can print {shown}.")


class FontsMissing(RuntimeError):
    """Font files the certificates need are not installed."""


def fonts_missing() -> list[str]:
    """One line per font file certificates need that is not installed."""
    faces = (DEJAVU, *FALLBACKS, CJK_JP)
    files = dict.fromkeys(path for face in faces for path in (face.regular, face.bold))
    return [f"Certificate font missing: {path}" for path in files if not path.is_file()]


def fonts_check() -> None:
    """Refuse to go on without the certificate fonts, saying how to install them."""
    if missing := fonts_missing():
        raise FontsMissing("\n".join([*missing, FIX]))
