"""`portal backup` and `portal restore`: the database and the storage folder in one archive.

The archive (tar.gz) holds the database (pg_dump's custom format for PostgreSQL, a copy made
with SQLite's online backup API for SQLite), every file of the storage folder under
storage/, and manifest.json with the SHA-256 of each member. Restore checks every sum
first and loads only into an empty database and an empty storage folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from portal.db import engine_create
from portal.errors import PortalError

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
PG_DUMP_FILE = "database.pgdump"
SQLITE_FILE = "database.sqlite3"


class BackupError(PortalError):
    """A backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class BackupReport:
    """What an archive holds."""

    path: Path
    database_file: str
    storage_files: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A URL for pg_dump/pg_restore without the password, which goes in the environment."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is missing: install Debian's postgresql-client "
            "(apt-get install postgresql-client)."
        ) from None
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{what} failed: {detail}")


def _database_dump(database_url: str, folder: Path) -> str:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(str(url.database))
        target = sqlite3.connect(str(folder / SQLITE_FILE))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return SQLITE_FILE
    plain, env = _libpq(url)
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges"]
    _run([*command, f"--file={folder / PG_DUMP_FILE}", f"--dbname={plain}"], env, "pg_dump")
    return PG_DUMP_FILE


def _storage_members(storage_dir: Path) -> list[Path]:
    if not storage_dir.exists():
        return []
    # The staging folder holds half-finished uploads only.
    return sorted(
        path
        for path in storage_dir.rglob("*")
        if path.is_file() and "staging" not in path.relative_to(storage_dir).parts
    )


def backup_write(*, database_url: str, storage_dir: Path, out: Path) -> BackupReport:
    """Write one archive with the database dump, the storage files and their SHA-256 sums."""
    if out.exists():
        raise BackupError(f"{out} exists already: choose a new file name.")
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        database_file = _database_dump(database_url, folder)
        files = _storage_members(storage_dir)
        sums = {database_file: _sha256(folder / database_file)}
        for path in files:
            sums[f"storage/{path.relative_to(storage_dir).as_posix()}"] = _sha256(path)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": {
                "dialect": make_url(database_url).get_backend_name(),
                "file": database_file,
            },
            "sha256": sums,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        partial = out.with_name(f".{out.name}.partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(folder / MANIFEST, MANIFEST)
            archive.add(folder / database_file, database_file)
            for path in files:
                archive.add(path, f"storage/{path.relative_to(storage_dir).as_posix()}")
        partial.chmod(0o600)
        partial.replace(out)
    return BackupReport(out, database_file, len(files))


def _archive_extract(archive_path: Path, folder: Path) -> dict[str, object]:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(folder, filter="data")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{archive_path} cannot be read as a portal backup ({error}).") from None
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(
            f"{archive_path} has no readable {MANIFEST}: not a portal backup."
        ) from None
    for name, expected in manifest["sha256"].items():
        member = folder / name
        if not member.is_file() or _sha256(member) != expected:
            raise BackupError(f"{archive_path}: {name} is missing or damaged; nothing restored.")
    return manifest


def _database_empty(database_url: str) -> bool:
    engine = engine_create(database_url)
    try:
        with engine.connect() as connection:
            return not inspect(connection).get_table_names()
    finally:
        engine.dispose()


def _storage_empty(storage_dir: Path) -> bool:
    return not storage_dir.exists() or not any(storage_dir.iterdir())


def _database_load(database_url: str, dump: Path, dialect: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() != dialect:
        raise BackupError(
            f"The backup holds a {dialect} database; PORTAL_DATABASE_URL points to "
            f"{url.get_backend_name()}: restore into the same kind of database."
        )
    if dialect == "sqlite":
        target = sqlite3.connect(str(url.database))
        source = sqlite3.connect(str(dump))
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return
    plain, env = _libpq(url)
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
    _run([*command, f"--dbname={plain}", str(dump)], env, "pg_restore")


def backup_restore(*, archive: Path, database_url: str, storage_dir: Path) -> BackupReport:
    """Load an archive into an empty database and an empty storage folder."""
    if not _database_empty(database_url):
        raise BackupError(
            "PORTAL_DATABASE_URL: the database is not empty; restore into a new, empty database."
        )
    if not _storage_empty(storage_dir):
        raise BackupError(
            f"PORTAL_STORAGE_DIR: {storage_dir} is not empty; restore into a new, empty folder."
        )
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        manifest = _archive_extract(archive, folder)
        database = manifest["database"]
        assert isinstance(database, dict)
        _database_load(database_url, folder / database["file"], database["dialect"])
        storage_dir.mkdir(parents=True, exist_ok=True)
        stored = folder / "storage"
        count = 0
        if stored.exists():
            shutil.copytree(stored, storage_dir, dirs_exist_ok=True)
            count = sum(1 for path in stored.rglob("*") if path.is_file())
    return BackupReport(archive, database["file"], count)
