"""Backup of a populated portal, restored elsewhere: certificates, materials and audit intact."""

from __future__ import annotations

import hashlib
import io
import tarfile

import pytest
from sqlalchemy import select

from portal.certificates.services import certificate_claim
from portal.certificates.verify import certificate_verify
from portal.db import engine_create, session_factory
from portal.models import AuditEvent, Certificate
from portal.models.materials import MaterialBlob
from portal.operations.backup import BackupError, backup_restore, backup_write
from portal.records.audit_verify import audit_chain_head, audit_chain_verify
from portal.storage import blob_path
from tests.factories import course_row, user_make
from tests.factories_certificates import evaluation_set, issuer_make, participant_ready
from tests.factories_materials import config_for, file_make


@pytest.fixture
def populated(factory, tmp_path, monkeypatch):
    """A portal with an uploaded material, two certificates and their audit events."""
    evaluation_set(monkeypatch, True)
    config = config_for(tmp_path / "old", document=10_000_000, media=10_000_000)
    with factory.begin() as session:
        course_row(session)
        instructor = user_make(session, role="admin")
        file_make(session, config, instructor.id)
        file_make(session, config, instructor.id, name="meditation.mp3")
        nurse = participant_ready(session, licenses=[("rn", "654321", "CA")])
        therapist = participant_ready(session, full_name="Ana Ruiz")
        for (user, enrollment), credit_type in ((nurse, "BRN"), (therapist, "BBS")):
            certificate_claim(
                session=session,
                user_id=user.id,
                enrollment_id=enrollment.id,
                credit_type_id=credit_type,
                issuer=issuer_make(),
            )
    return config.storage_dir


def _audit(session):
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [(e.id, e.action, e.subject_type, e.subject_id, e.details, e.at) for e in rows]


def test_restore_elsewhere_keeps_every_certificate_material_and_audit_event(
    database_url, empty_database_url, populated, factory, tmp_path
):
    archive = tmp_path / "portal.tar.gz"
    report = backup_write(database_url=database_url, storage_dir=populated, out=archive)
    assert report.storage_files == 2
    new_storage = tmp_path / "new" / "storage"
    backup_restore(archive=archive, database_url=empty_database_url, storage_dir=new_storage)

    engine = engine_create(empty_database_url)
    try:
        with factory() as old, session_factory(engine)() as new:
            certificates = new.scalars(select(Certificate)).all()
            assert len(certificates) == 2
            for row in certificates:
                assert hashlib.sha256(row.pdf).hexdigest() == row.sha256
                found = certificate_verify(session=new, number=row.number, client_keys=["t"])
                assert found.outcome == "valid" and found.participant_name
            blobs = new.scalars(select(MaterialBlob)).all()
            assert len(blobs) == 2
            for blob in blobs:
                data = blob_path(new_storage, blob.sha256).read_bytes()
                assert hashlib.sha256(data).hexdigest() == blob.sha256
            assert _audit(new) == _audit(old) != []
            kept = audit_chain_head(old).hash
            report = audit_chain_verify(new, kept_head=kept)
            assert report.intact and report.kept_head_found
    finally:
        engine.dispose()


def test_restore_refuses_a_damaged_archive(database_url, empty_database_url, populated, tmp_path):
    archive = tmp_path / "portal.tar.gz"
    backup_write(database_url=database_url, storage_dir=populated, out=archive)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("storage/"):
                data = data[:-1] + b"!"
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match="damaged; nothing restored"):
        backup_restore(archive=damaged, database_url=empty_database_url, storage_dir=tmp_path / "s")


def test_restore_refuses_a_database_or_folder_in_use(database_url, populated, tmp_path):
    archive = tmp_path / "portal.tar.gz"
    backup_write(database_url=database_url, storage_dir=populated, out=archive)
    with pytest.raises(BackupError, match="the database is not empty"):
        backup_restore(archive=archive, database_url=database_url, storage_dir=tmp_path / "s")
    with pytest.raises(BackupError, match="exists already"):
        backup_write(database_url=database_url, storage_dir=populated, out=archive)
