"""Empty databases for restore and first-install tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import _pg_admin_engine, _pg_url_for


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of the same kind as this test's, with no tables yet (for SQLite, a file
    that does not exist yet)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / f'empty-{uuid.uuid4().hex[:6]}.sqlite3'}"
        return
    name = f"portal_e_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield _pg_url_for(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
