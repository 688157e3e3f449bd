"""Sample files (good, hostile and broken) and material factories for the tests."""

from __future__ import annotations

import io
import re
from pathlib import Path

from fpdf import FPDF
from PIL import Image
from sqlalchemy.orm import Session

from portal import PROJECT_ROOT
from portal.materials.access import MaterialsConfig
from portal.materials.services import material_link_add, material_upload
from portal.materials.uploads import UploadLimits
from portal.models import Material

COURSE = "fostering-compassion-in-couples"
MODULE = "module:emotion-regulation-systems"


def pdf_bytes(text: str = "Slides") -> bytes:
    """A real one-page PDF."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def image_bytes(format: str) -> bytes:
    """A real small picture in the given Pillow format."""
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (31, 111, 139)).save(out, format=format)
    return out.getvalue()


def pdf_with(catalog_entries: bytes, keep_open_action: bool = False) -> bytes:
    """A real PDF whose catalog carries extra entries (actions, names); its own opening
    destination is dropped unless kept (then a key is defined twice)."""
    data = pdf_bytes()
    if not keep_open_action:
        data = re.sub(rb"/OpenAction \[[^\]]*\]", b"", data)
    return data.replace(b"/Type /Catalog", b"/Type /Catalog " + catalog_entries)


GOOD = {
    "slides.pdf": pdf_bytes(),
    "meditation.mp3": b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 200,
    "meditation.m4a": b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\0" * 200,
    "meditation.wav": b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\0" * 200,
    "talk.mp4": b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2mp41" + b"\0" * 200,
    "diagram.png": image_bytes("PNG"),
    "photo.jpg": image_bytes("JPEG"),
    "animation.gif": image_bytes("GIF"),
    "notes.md": "# Notes\n\nBreathe *slowly* — ça va. Use `a < b` in code.\n".encode(),
}
GOOD_KINDS = {
    "slides.pdf": "pdf",
    "meditation.mp3": "audio",
    "meditation.m4a": "audio",
    "meditation.wav": "audio",
    "talk.mp4": "video",
    "diagram.png": "image",
    "photo.jpg": "image",
    "animation.gif": "image",
    "notes.md": "markdown",
}
# name -> (bytes, a word the refusal must contain)
HOSTILE = {
    "renamed-elf.pdf": (b"\x7fELF\x02\x01\x01\x00" + b"\0" * 200, "not accepted"),
    "renamed-exe.mp3": (b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 200, "not accepted"),
    "zip-posing.pdf": (b"PK\x03\x04" + b"\0" * 200, "application/zip"),
    "page.md": (b"<!DOCTYPE html><html><body>hi</body></html>", "HTML"),
    "script.md": (b"# Hi\n\n<script>alert(1)</script>\n", "script"),
    "vector.png": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>', "SVG"),
    "xml-svg.md": (b'<?xml version="1.0"?>\n<svg onload="x()"/>', "HTML"),
    "link.md": (b"[click](javascript:alert(1))", "script"),
    "handler.md": (b'Hello <div onmouseover="x()">there</div>', "HTML"),
    "random.pdf": (bytes(range(128, 256)) * 4, "not a recognised file"),
    "nul.md": (b"# notes\x00\x00 hidden", "not a recognised file"),
    "latin1.md": ("Café crème".encode("latin-1") * 3, "not a recognised file"),
    "truncated.pdf": (pdf_bytes()[:400], "damaged"),
    "scripted.pdf": (
        pdf_bytes().replace(
            b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
        ),
        "scripts",
    ),
    "empty.pdf": (b"", "empty"),
    # A GIF header followed by script: the type check passes, no picture decodes.
    "corrupt.gif": (b"GIF89a" + b"<script>alert(document.cookie)</script>" * 4, "damaged"),
    "truncated.png": (image_bytes("PNG")[:60], "damaged"),
    "png-posing.jpg": (b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "damaged"),
    "escaped-script.pdf": (
        pdf_with(b"/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>"),
        "scripts",
    ),
    "escaped-js-key.pdf": (pdf_with(b"/OpenAction << /S /JavaScript /J#53 (x) >>"), "scripts"),
    "launch.pdf": (pdf_with(b"/OpenAction << /S /L#61unch /F (cmd.exe) >>"), "launch"),
    "launch-twice-defined.pdf": (
        pdf_with(b"/OpenAction << /S /L#61unch /F (cmd.exe) >>", keep_open_action=True),
        "launch",
    ),
    "auto-open.pdf": (pdf_with(b"/AA << /O << /S /GoTo /D [0] >> >>"), "automatic"),
    "attachment.pdf": (
        pdf_with(b"/Names << /EmbeddedFiles << /Names [(a.exe) << /Type /Filespec >>] >> >>"),
        "attachments",
    ),
}


def config_for(tmp_path: Path, **limits: int) -> MaterialsConfig:
    """Storage under tmp_path, the shipped content, and the given limits in bytes."""
    return MaterialsConfig(tmp_path / "storage", PROJECT_ROOT / "content", UploadLimits(**limits))


def file_make(
    session: Session,
    config: MaterialsConfig,
    actor_id: int,
    name: str = "slides.pdf",
    data: bytes | None = None,
    *,
    offering_id: int | None = None,
    placement: str = MODULE,
    title: str = "",
    published: bool = True,
) -> Material:
    """A file material uploaded through the service."""
    return material_upload(
        session=session, actor_id=actor_id, course_slug=COURSE, offering_id=offering_id,
        placement=placement, title=title, description="", file_name=name,
        stream=io.BytesIO(GOOD[name] if data is None else data), published=published,
        config=config,
    )  # fmt: skip


def link_make(
    session: Session,
    config: MaterialsConfig,
    actor_id: int,
    *,
    offering_id: int | None = None,
    placement: str = "general",
    title: str = "Meeting link",
    published: bool = True,
) -> Material:
    """A link material added through the service."""
    return material_link_add(
        session=session, actor_id=actor_id, course_slug=COURSE, offering_id=offering_id,
        placement=placement, title=title, description="", url="https://meet.example.org/x",
        published=published, config=config,
    )  # fmt: skip


def stored_files(config: MaterialsConfig) -> list[Path]:
    """Every file in the storage folder (blobs and staging)."""
    return sorted(p for p in config.storage_dir.rglob("*") if p.is_file())
