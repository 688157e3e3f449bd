"""A ZIP of certificate PDFs: files in, bytes out."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence

from portal.certificates.queries import CertificateFile

Progress = Callable[[int, int], None]


def certificates_zip(files: Sequence[CertificateFile], progress: Progress | None = None) -> bytes:
    """The PDFs in one ZIP (stored, not deflated: PDFs are compressed already)."""
    buffer = io.BytesIO()
    total = len(files)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for done, file in enumerate(files, start=1):
            info = zipfile.ZipInfo(file.filename, date_time=(2020, 1, 1, 0, 0, 0))
            archive.writestr(info, file.pdf)
            if progress is not None:
                progress(done, total)
    return buffer.getvalue()
