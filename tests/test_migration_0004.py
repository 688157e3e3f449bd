"""Migration 0004 keeps existing data and can be undone."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from portal.db import alembic_config, database_downgrade, database_upgrade

REVISION = "0004"


def _previous(engine) -> str:
    script = ScriptDirectory.from_config(alembic_config(engine))
    return script.get_revision(REVISION).down_revision


def test_upgrade_keeps_rows_and_downgrade_removes_tables(engine):
    previous = _previous(engine)
    database_downgrade(engine, previous)
    assert "payments" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO courses (slug, title) VALUES ('c', 'Course')"))
        conn.execute(
            text(
                "INSERT INTO audit_events (at, action, subject_type, reason, details) "
                "VALUES (CURRENT_TIMESTAMP, 'old.event', 'x', '', '{}')"
            )
        )
    database_upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {
        "payments",
        "refunds",
        "cancellation_requests",
        "account_tokens",
        "outbox_messages",
        "records_purges",
    } <= tables
    with engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM courses WHERE slug = 'c'")).scalar() == "Course"
        assert conn.execute(text("SELECT action FROM audit_events")).scalar() == "old.event"
