"""Migrations run once: portal processes starting together on a new PostgreSQL database take
turns under an advisory lock, so each starts and the schema and course rows are made once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from portal import PROJECT_ROOT

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
# Each process imports everything first, then all start the portal at the same instant.
STARTER = (
    "import os, time\n"
    "from portal.runtime import runtime_start\n"
    "from portal.settings import settings_load\n"
    "time.sleep(max(0.0, float(os.environ['START_AT']) - time.time()))\n"
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
        "START_AT": str(time.time() + 15),
    }
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=180)[0].decode() for p in starters]
    assert [p.returncode for p in starters] == [0, 0, 0, 0], outputs
    engine = create_engine(make_url(empty_postgresql).set(drivername="postgresql+psycopg"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM courses")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM offerings")).scalar() == 1
    engine.dispose()
