"""Helpers for benchmarks: a fresh PostgreSQL database and the BENCH line format."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from portal.db import database_upgrade, engine_create

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def bench(name: str, value: float, unit: str) -> None:
    """Print one benchmark figure in the agreed format."""
    print(f"BENCH {name} {value:.2f} {unit}", flush=True)


@contextmanager
def fresh_database(url: str = PG_URL, **engine_kwargs: object) -> Iterator[Engine]:
    """A new migrated database (PostgreSQL: created and dropped; SQLite: a temp file)."""
    if url.startswith("sqlite"):
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            engine = engine_create(f"sqlite:///{folder}/bench.sqlite3", **engine_kwargs)
            database_upgrade(engine)
            yield engine
            engine.dispose()
        return
    name = f"portal_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = engine_create(
        make_url(url).set(database=name).render_as_string(hide_password=False), **engine_kwargs
    )
    try:
        database_upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
