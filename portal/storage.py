"""Content-addressed storage of uploaded bytes in the storage folder from settings.

Why a folder and not the database: recorded meditations and videos run to hundreds of
megabytes. In a folder they are written once while streaming the upload, and pages hand
Streamlit a file path (st.audio, st.video, st.pdf, deferred downloads), so no page run holds
the bytes per viewer session and the database stays small enough to back up quickly.

Layout: <storage_dir>/blobs/<aa>/<sha256>, named by the SHA-256 of the bytes; metadata
(material, version, file name, MIME type, size) lives in the database. Identical uploads
share one file, and a file is written by renaming a finished temporary file into place, so
several app processes may write the same blob at once safely. With several app machines,
storage_dir must be one shared volume (NFS, EFS, a mounted bucket). Deleting a
material is a soft delete that never removes bytes, so materials sharing them keep working.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


class TooLarge(Exception):
    """The stream grew past the allowed size; nothing was kept."""


@dataclass(frozen=True)
class StagedBlob:
    """Bytes written to a temporary file, hashed and measured, not yet in place."""

    path: Path
    sha256: str
    size: int
    head: bytes
    tail: bytes


def blob_path(storage_dir: Path, sha256: str) -> Path:
    """Where the bytes with this SHA-256 live."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return storage_dir / "blobs" / sha256[:2] / sha256


def blob_stage(
    stream: BinaryIO,
    storage_dir: Path,
    max_bytes: Callable[[bytes], int],
    inspect: Callable[[bytes], None] = lambda chunk: None,
) -> StagedBlob:
    """Copy a stream to a temporary file while hashing; max_bytes(head) gives the limit."""
    staging = storage_dir / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=staging)
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            staged = _copy(stream, out, max_bytes, inspect)
        return StagedBlob(path, *staged)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _copy(
    stream: BinaryIO,
    out: BinaryIO,
    max_bytes: Callable[[bytes], int],
    inspect: Callable[[bytes], None],
) -> tuple[str, int, bytes, bytes]:
    digest, size, tail = hashlib.sha256(), 0, b""
    head = stream.read(8192)
    limit = max_bytes(head)
    chunk = head
    while chunk:
        size += len(chunk)
        if size > limit:
            raise TooLarge
        digest.update(chunk)
        inspect(tail[-64:] + chunk)  # overlap so a keyword split across chunks is seen
        out.write(chunk)
        tail = (tail + chunk)[-4096:]
        chunk = stream.read(CHUNK)
    return digest.hexdigest(), size, head, tail


def blob_commit(staged: StagedBlob, storage_dir: Path) -> Path:
    """Move staged bytes into place under their hash (a no-op when already there)."""
    target = blob_path(storage_dir, staged.sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        staged.path.unlink(missing_ok=True)
    else:
        os.replace(staged.path, target)
    return target


def blob_discard(staged: StagedBlob) -> None:
    """Forget staged bytes that were refused."""
    with contextlib.suppress(FileNotFoundError):
        staged.path.unlink()


def blob_available(path: Path) -> bool:
    """Whether a stored file is there to be shown (a missing one renders as unavailable)."""
    return path.is_file()
