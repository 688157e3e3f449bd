"""Blobs in an S3-compatible bucket shared by several app machines (a local moto server).

Machine A uploads; machine B, with an empty storage folder of its own, shows the file (it
is fetched from the bucket into B's cache); a blob missing from the bucket is unavailable,
and the start check counts what the bucket lacks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal import PROJECT_ROOT
from portal.materials.access import MaterialsConfig
from portal.materials.queries import material_view, storage_missing_problem
from portal.materials.uploads import UploadLimits
from portal.storage import ObjectStore, _client, blob_available
from tests.browser.server import free_port
from tests.factories import offering_make, user_make
from tests.factories_materials import GOOD, file_make

boto3 = pytest.importorskip("boto3")


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local S3-compatible server (moto) on 127.0.0.1, stopped after the module."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"moto did not start:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, request) -> ObjectStore:  # type: ignore[no-untyped-def]
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(name, value)
    store = ObjectStore(f"portal-{os.getpid()}-{id(request)}", s3_endpoint, "us-east-1")
    _client.cache_clear()
    _client(store).create_bucket(Bucket=store.bucket)
    return store


def _machine(tmp_path: Path, name: str, store: ObjectStore) -> MaterialsConfig:
    return MaterialsConfig(tmp_path / name, PROJECT_ROOT / "content", UploadLimits(), store)


def test_a_file_uploaded_on_one_machine_shows_on_another(bucket, session, tmp_path):
    instructor = user_make(session, role="instructor")
    offering_make(session, instructors=[instructor])
    a, b = _machine(tmp_path, "a", bucket), _machine(tmp_path, "b", bucket)
    material = file_make(session, a, instructor.id, title="Session slides")
    session.commit()
    sha = material.current.blob_sha256
    listed = _client(bucket).list_objects_v2(Bucket=bucket.bucket)["Contents"]
    assert [o["Key"] for o in listed] == [f"blobs/{sha[:2]}/{sha}"]
    on_b = Path(material_view(material, b.storage_dir).path)
    assert not on_b.exists()
    assert blob_available(on_b, b.remote)
    assert on_b.read_bytes() == GOOD["slides.pdf"]
    assert storage_missing_problem(session, b.storage_dir, b.remote) is None


def test_a_blob_missing_from_the_bucket_is_unavailable(bucket, session, tmp_path):
    instructor = user_make(session, role="instructor")
    offering_make(session, instructors=[instructor])
    a = _machine(tmp_path, "a", bucket)
    material = file_make(session, a, instructor.id, title="Session slides")
    session.commit()
    sha = material.current.blob_sha256
    _client(bucket).delete_object(Bucket=bucket.bucket, Key=bucket.key(sha))
    b = _machine(tmp_path, "b", bucket)
    assert not blob_available(Path(material_view(material, b.storage_dir).path), b.remote)
    problem = storage_missing_problem(session, b.storage_dir, b.remote)
    assert problem and problem.startswith(f"PORTAL_S3_BUCKET: {bucket.bucket} lacks 1 of 1")


def test_identical_uploads_put_one_object(bucket, session, tmp_path):
    instructor = user_make(session, role="instructor")
    offering_make(session, instructors=[instructor])
    a, b = _machine(tmp_path, "a", bucket), _machine(tmp_path, "b", bucket)
    file_make(session, a, instructor.id, title="One")
    file_make(session, b, instructor.id, title="Two")
    session.commit()
    assert _client(bucket).list_objects_v2(Bucket=bucket.bucket)["KeyCount"] == 1
