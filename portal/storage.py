"""Content-addressed storage of uploaded bytes in the storage folder from settings.

Why a folder and not the database: recorded meditations and videos run to hundreds of
megabytes. In a folder they are written once while streaming the upload, and pages hand
Streamlit a file path (st.audio, st.video, st.pdf, deferred downloads), so no page run holds
the bytes per viewer session and the database stays small enough to back up quickly.

Layout: <storage_dir>/blobs/<aa>/<sha256>, named by the SHA-256 of the bytes; metadata
(material, version, file name, MIME type, size) lives in the database. Identical uploads
share one file, and a file is written by renaming a finished temporary file into place, so
several app processes may write the same blob at once safely. Deleting a material is a
soft delete that never removes bytes, so materials sharing them keep working.

Several app machines: either storage_dir is one shared volume (NFS, EFS), or the backend is
an S3-compatible object store (PORTAL_STORAGE_BACKEND=s3). Then every upload is also put in
the bucket under the same key (blobs/<aa>/<sha256>), and storage_dir is each machine's cache:
a blob missing there is fetched from the bucket before it is shown. Blobs never change, so a
cached copy never goes stale.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from portal.settings import Settings

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


@dataclass(frozen=True)
class ObjectStore:
    """An S3-compatible bucket holding every blob (credentials: the usual AWS variables)."""

    bucket: str
    endpoint_url: str | None = None
    region: str = "us-east-1"

    def key(self, sha256: str) -> str:
        """The object key of a blob: the same relative path as in the storage folder."""
        return blob_path(Path(), sha256).as_posix()


def object_store(settings: Settings) -> ObjectStore | None:
    """The bucket when the storage backend is S3, else None (the local folder only)."""
    if settings.storage_backend != "s3":
        return None
    if not settings.s3_bucket:
        from portal.settings import SettingsError

        raise SettingsError("PORTAL_STORAGE_BACKEND is s3: set PORTAL_S3_BUCKET to the bucket.")
    return ObjectStore(settings.s3_bucket, settings.s3_endpoint_url or None, settings.s3_region)


@lru_cache(maxsize=4)
def _client(store: ObjectStore) -> Any:
    import boto3  # only installations that use a bucket pay for importing it

    return boto3.client("s3", endpoint_url=store.endpoint_url, region_name=store.region)


def _remote_has(store: ObjectStore, sha256: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        _client(store).head_object(Bucket=store.bucket, Key=store.key(sha256))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def blob_commit(staged: StagedBlob, storage_dir: Path, remote: ObjectStore | None = None) -> Path:
    """Move staged bytes into place under their hash (a no-op when already there); with a
    bucket, put them there too before the database may name them."""
    target = blob_path(storage_dir, staged.sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        staged.path.unlink(missing_ok=True)
    else:
        os.replace(staged.path, target)
    if remote is not None and not _remote_has(remote, staged.sha256):
        _client(remote).upload_file(str(target), remote.bucket, remote.key(staged.sha256))
    return target


def _fetch(path: Path, remote: ObjectStore) -> bool:
    from botocore.exceptions import ClientError

    staging = path.parent.parent.parent / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=staging)
    os.close(handle)
    try:
        _client(remote).download_file(remote.bucket, remote.key(path.name), name)
    except ClientError as error:
        Path(name).unlink(missing_ok=True)
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    path.parent.mkdir(parents=True, exist_ok=True)
    os.replace(name, path)
    return True


def blob_discard(staged: StagedBlob) -> None:
    """Forget staged bytes that were refused."""
    with contextlib.suppress(FileNotFoundError):
        staged.path.unlink()


def blob_available(path: Path, remote: ObjectStore | None = None) -> bool:
    """Whether a stored file is there to be shown (a missing one renders as unavailable);
    with a bucket, a blob not yet cached on this machine is fetched first."""
    if path.is_file():
        return True
    return remote is not None and _fetch(path, remote)


def blob_stored(storage_dir: Path, sha256: str, remote: ObjectStore | None = None) -> bool:
    """Whether the storage holds a blob, without fetching it (the start check)."""
    if remote is not None:
        return _remote_has(remote, sha256)
    return blob_path(storage_dir, sha256).is_file()
