"""Migrations run once: portal processes starting together on a new PostgreSQL database take
turns under an advisory lock, so each starts and the schema and course rows are made once."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from portal import PROJECT_ROOT

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
# Each process imports everything first and says so, then waits for the word to go: all
# start the portal at the same instant, however long the imports took on a busy machine.
STARTER = (
    "import sys\n"
    "from portal.runtime import runtime_start\n"
    "from portal.settings import settings_load\n"
    "print('imported', flush=True)\n"
    "sys.stdin.readline()\n"
    "runtime_start(settings_load()).dispose()\n"
)


@pytest.fixture
def empty_postgresql():
    """A new, empty PostgreSQL database (no template: nothing migrated yet)."""
    if not PG_URL:
        pytest.skip("set PORTAL_TEST_DATABASE_URL: the lock is PostgreSQL's")
    name = f"portal_once_{uuid.uuid4().hex[:10]}"
    admin_url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_processes_starting_together_migrate_a_new_database_once(empty_postgresql, tmp_path):
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "PORTAL_DATABASE_URL": empty_postgresql,
        "PORTAL_SECRETS_FILE": str(tmp_path / "none.toml"),
    }
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(4)
    ]
    imported = [p.stdout.readline() for p in starters]  # type: ignore[union-attr]
    for p in starters:  # go: all at once
        try:
            p.stdin.write(b"go\n")  # type: ignore[union-attr]
            p.stdin.flush()  # type: ignore[union-attr]
        except BrokenPipeError:
            pass  # it failed while importing: its output says why (asserted below)
    outputs = [p.communicate(timeout=180)[0].decode() for p in starters]
    assert imported == [b"imported\n"] * 4, (imported, outputs)
    assert [p.returncode for p in starters] == [0, 0, 0, 0], outputs
    engine = create_engine(make_url(empty_postgresql).set(drivername="postgresql+psycopg"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM courses")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM offerings")).scalar() == 1
    engine.dispose()
