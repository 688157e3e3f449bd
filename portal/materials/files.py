"""Uploaded files of materials: check, store under their hash, and record as versions."""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.errors import FieldErrors
from portal.materials.access import MaterialsConfig
from portal.materials.uploads import (
    FileType,
    image_check,
    name_clean,
    pdf_active,
    pdf_check,
    pdf_parse_check,
    text_check,
    too_large,
    type_from_head,
)
from portal.models import Material, MaterialBlob, MaterialVersion
from portal.storage import TooLarge, blob_commit, blob_discard, blob_stage


def ingest(  # type: ignore[no-untyped-def]
    session: Session,
    stream: BinaryIO,
    file_name: str,
    config: MaterialsConfig,
    kind: str | None = None,
):
    """Check and store uploaded bytes (of the given kind, if any): blob row, type, name."""
    found: dict[str, FileType] = {}
    active = [False]

    def limit(head: bytes) -> int:
        found["type"] = type_from_head(head, file_name)
        if kind is not None and found["type"].kind != kind:
            raise FieldErrors(
                {
                    "file": f"The new file must be {kind} like the one it replaces, "
                    f"not {found['type'].kind}."
                }
            )
        return config.limits.for_type(found["type"])

    def inspect(chunk: bytes) -> None:
        active[0] = active[0] or (found["type"].kind == "pdf" and pdf_active(chunk))

    try:
        staged = blob_stage(stream, config.storage_dir, limit, inspect)
    except TooLarge:
        raise too_large(found["type"], config.limits.for_type(found["type"])) from None
    file_type = found["type"]
    try:
        if file_type.kind == "pdf":
            pdf_check(staged.head, staged.tail, active[0])
            pdf_parse_check(staged.path)
        if file_type.kind == "image":
            image_check(staged.path, file_type.mime)
        if file_type.kind == "markdown":
            text_check(staged.path.read_bytes(), file_name)
    except FieldErrors:
        blob_discard(staged)
        raise
    blob_commit(staged, config.storage_dir, config.remote)
    return blob_row(session, staged.sha256, staged.size, file_type.mime), file_type, file_name


def blob_row(session: Session, sha256: str, size: int, mime: str) -> MaterialBlob:
    """The blob's row, shared with every earlier upload of the same bytes."""
    if blob := session.get(MaterialBlob, sha256):
        return blob
    try:
        with session.begin_nested():
            blob = MaterialBlob(sha256=sha256, size=size, mime=mime)
            session.add(blob)
    except IntegrityError:
        # Another upload of the same bytes committed first; share its row.
        return session.get_one(MaterialBlob, sha256)
    return blob


def version_add(
    session: Session,
    material: Material,
    blob: MaterialBlob,
    file_type: FileType,
    name: str,
    actor_id: int,
) -> MaterialVersion:
    """Record an uploaded file as the material's next version."""
    version = MaterialVersion(
        number=len(material.versions) + 1,
        blob_sha256=blob.sha256,
        file_name=name_clean(name, file_type.extension),
        mime=file_type.mime,
        size=blob.size,
        uploaded_by=actor_id,
    )
    material.versions.append(version)
    return version
