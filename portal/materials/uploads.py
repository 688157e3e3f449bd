"""Upload checks: the type comes from the file's content, sizes have limits, names are cleaned.

The `filetype` library recognises binary formats by their magic numbers. Text has no magic
number, so Markdown is accepted only as UTF-8 text without NUL bytes and without HTML, SVG
or script, which the portal never renders anyway.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import filetype
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from portal.errors import FieldErrors
from portal.settings import Settings

MB = 1024 * 1024
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class FileType:
    """An accepted type: material kind, limit class, MIME type and canonical extension."""

    kind: str
    limit: str
    mime: str
    extension: str


ACCEPTED: dict[str, FileType] = {
    t.mime: t
    for t in (
        FileType("pdf", "document", "application/pdf", "pdf"),
        FileType("audio", "media", "audio/mpeg", "mp3"),
        FileType("audio", "media", "audio/mp4", "m4a"),
        FileType("audio", "media", "audio/x-wav", "wav"),
        FileType("video", "media", "video/mp4", "mp4"),
        FileType("image", "image", "image/png", "png"),
        FileType("image", "image", "image/jpeg", "jpg"),
        FileType("image", "image", "image/gif", "gif"),
        FileType("image", "image", "image/webp", "webp"),
    )
}
MARKDOWN = FileType("markdown", "document", "text/markdown", "md")
TEXT_EXTENSIONS = ("md", "markdown", "txt")
ALLOWED_TEXT = "PDF, MP3, M4A, WAV, MP4, PNG, JPEG, GIF, WebP or Markdown text"
LIMIT_NAMES = {"document": "Documents", "media": "Audio and video files", "image": "Images"}
# Markup that a browser would run or render as a page; Markdown notes never need it.
_ACTIVE_TEXT = re.compile(
    rb"<\s*(script|svg|html|iframe|object|embed|body|head|meta|link|style|form|img|a)\b"
    rb"|<!doctype|<\?xml|javascript:|vbscript:|data:text/html|<[a-z][^>]*\son[a-z]+\s*=",
    re.IGNORECASE,
)
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b")


@dataclass(frozen=True)
class UploadLimits:
    """Largest accepted file per limit class, in bytes."""

    document: int = 25 * MB
    media: int = 500 * MB
    image: int = 10 * MB

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadLimits:
        """The limits configured in settings (megabytes there, bytes here)."""
        return cls(
            document=settings.upload_limit_document_mb * MB,
            media=settings.upload_limit_media_mb * MB,
            image=settings.upload_limit_image_mb * MB,
        )

    def for_type(self, file_type: FileType) -> int:
        """The limit that applies to a type."""
        return getattr(self, file_type.limit)

    def for_kind(self, kind: str) -> int:
        """The limit that applies to a material kind (pdf, audio, image, ...)."""
        limit = next((t.limit for t in (*ACCEPTED.values(), MARKDOWN) if t.kind == kind), None)
        return getattr(self, limit) if limit else self.largest

    @property
    def largest(self) -> int:
        """The largest limit of any kind: what the server must let through."""
        return max(self.document, self.media, self.image)

    def text(self) -> str:
        """The limits in words, per kind of file."""
        return (
            f"Documents (PDF, Markdown) up to {size_text(self.document)}, audio (MP3, M4A, WAV) "
            f"and video (MP4) up to {size_text(self.media)}, images up to {size_text(self.image)}."
        )


def megabytes(size: int) -> int:
    """A byte count in whole megabytes, rounded up (what Streamlit's upload limits take)."""
    return -(-size // MB)


def _refuse(message: str) -> FieldErrors:
    return FieldErrors({"file": message})


def size_text(size: int) -> str:
    """'25 MB', '1.5 MB' or '300 KB' for a byte count."""
    if size >= MB:
        return f"{size / MB:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(size / 1024))} KB"


def too_large(file_type: FileType, limit: int) -> FieldErrors:
    """The refusal for a file over its type's limit, naming the limit."""
    return _refuse(f"{LIMIT_NAMES[file_type.limit]} may be at most {size_text(limit)}.")


def type_from_head(head: bytes, name: str) -> FileType:
    """The accepted type of a file from its first bytes; refuse anything else."""
    if not head:
        raise _refuse("The file is empty.")
    guess = filetype.guess(head)
    if guess is not None:
        if guess.mime in ACCEPTED:
            return ACCEPTED[guess.mime]
        raise _refuse(
            f"“{name_clean(name)}” is {guess.mime} ({guess.extension}) by its content, "
            f"which is not accepted. Accepted: {ALLOWED_TEXT}."
        )
    if b"\x00" in head or not _utf8_prefix(head):
        raise _refuse(
            f"“{name_clean(name)}” is not a recognised file by its content. Accepted: {ALLOWED_TEXT}."
        )
    return MARKDOWN


def _utf8_prefix(head: bytes) -> bool:
    # The head may end inside a multi-byte character: allow up to 3 cut bytes.
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False


def text_check(data: bytes, name: str = "") -> None:
    """Markdown notes: UTF-8 text, no NUL bytes, no HTML, SVG or script."""
    if b"\x00" in data:
        raise _refuse("Markdown notes must be text; this file contains binary data.")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse("Markdown notes must be UTF-8 text.") from None
    suffix = PurePosixPath(name_clean(name)).suffix.lower().lstrip(".")
    if _ACTIVE_TEXT.search(data) and suffix and suffix not in TEXT_EXTENSIONS:
        raise _refuse(
            f"“{name_clean(name)}” is named .{suffix} but is not a {suffix.upper()} file: its "
            f"content is HTML, SVG or script, which is never accepted. Accepted: {ALLOWED_TEXT}."
        )
    if _ACTIVE_TEXT.search(data):
        raise _refuse(
            f"“{name_clean(name)}” contains HTML, SVG or script, which is never accepted; "
            "Markdown notes must be plain Markdown."
        )


def pdf_check(head: bytes, tail: bytes, active: bool) -> None:
    """A PDF starts with %PDF-, ends with %%EOF, and carries no script or launch actions."""
    if not head.startswith(b"%PDF-") or b"%%EOF" not in tail:
        raise _refuse("This PDF is damaged or incomplete; export it again and retry.")
    if active:
        raise _refuse("PDFs with embedded scripts, attachments or launch actions are not accepted.")


# Names of PDF actions and parts that run, launch, attach or fetch something. pypdf reads
# names with their #xx escapes decoded, so /J#61vaScript is /JavaScript here.
_PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/EF",
                    "/RichMedia", "/AA", "/XFA"}  # fmt: skip
_PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE",
                       "/GoToR", "/RichMediaExecute", "/Rendition", "/Sound", "/Movie"}  # fmt: skip
_PDF_ACTIVE_TYPES = {"/EmbeddedFile", "/Filespec", "/RichMedia"}
_PDF_DEPTH = 64


def _pdf_objects(reader: PdfReader) -> Iterator[Any]:
    """Every object the file defines, those packed in object streams too."""
    numbers = {(n, g) for g, entries in reader.xref.items() for n in entries}
    numbers |= {(n, 0) for n in reader.xref_objStm}
    for number, generation in sorted(numbers):
        if number:
            yield reader.get_object(IndirectObject(number, generation, reader))
    yield reader.trailer


def _pdf_active_in(value: Any, depth: int = 0) -> str | None:
    """The first active name inside a (direct) PDF value; indirect ones are walked on their own."""
    if depth > _PDF_DEPTH:
        return "nesting too deep"
    if isinstance(value, DictionaryObject):
        for key, item in value.items():
            if key in _PDF_ACTIVE_KEYS:
                return str(key)
            if key == "/S" and item in _PDF_ACTIVE_ACTIONS:
                return str(item)
            if key == "/Type" and item in _PDF_ACTIVE_TYPES:
                return str(item)
            if (
                key == "/OpenAction"
                and isinstance(item, DictionaryObject)
                and item.get("/S") != "/GoTo"
            ):
                return "/OpenAction"
            if not isinstance(item, IndirectObject) and (found := _pdf_active_in(item, depth + 1)):
                return found
    elif isinstance(value, ArrayObject):
        for item in value:
            if not isinstance(item, IndirectObject) and (found := _pdf_active_in(item, depth + 1)):
                return found
    return None


def pdf_parse_check(path: Path) -> None:
    """Parse the PDF and refuse script, launch, attachment and automatic actions anywhere."""
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            raise _refuse("Password-protected PDFs are not accepted; save it without a password.")
        for obj in _pdf_objects(reader):
            if _pdf_active_in(obj):
                raise _refuse(
                    "PDFs with embedded scripts, attachments or launch or automatic actions "
                    "are not accepted."
                )
        if not reader.pages:
            raise _refuse("This PDF has no pages.")
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError, OSError):
        raise _refuse("This PDF is damaged or incomplete; export it again and retry.") from None


_IMAGE_FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}


def image_check(path: Path, mime: str) -> None:
    """Decode the whole image (Pillow verify, then load); refuse what does not decode."""
    damaged = _refuse("This image is damaged or incomplete; export it again and retry.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format != _IMAGE_FORMATS.get(mime):
                    raise damaged
                image.verify()
            with Image.open(path) as image:  # verify() leaves the image unusable: open again
                image.load()
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        raise damaged from None


_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def pdf_active(chunk: bytes) -> bool:
    """Whether a stretch of a PDF names script, launch, attachment or rich-media actions,
    with name escapes decoded first (/J#61vaScript is /JavaScript)."""
    decoded = _NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), chunk)
    return bool(_PDF_ACTIVE.search(decoded))


_UNSAFE_NAME = re.compile(r"[^\w .()\-]+")


def name_clean(name: str, extension: str | None = None) -> str:
    """A safe display and download name: no folders, no control characters, right extension."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if not unicodedata.category(c).startswith("C"))
    base = _UNSAFE_NAME.sub("_", base).strip(" ._") or "file"
    path = PurePosixPath(base[:120])
    if extension is None:
        return str(path)
    suffix = path.suffix.lower().lstrip(".")
    keep = suffix == extension or (extension == "md" and suffix in TEXT_EXTENSIONS)
    keep = keep or (extension == "jpg" and suffix == "jpeg")
    stem = path.stem if path.suffix else str(path)
    return str(path) if keep else f"{stem or 'file'}.{extension}"
