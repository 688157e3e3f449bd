"""Migration 0003 adds the materials tables and keeps the rows that were there before."""

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from portal.db import alembic_config, database_downgrade, database_upgrade

NEW_TABLES = {
    "materials",
    "material_versions",
    "material_blobs",
    "progress_marks",
    "journal_entries",
}


def test_upgrade_keeps_existing_rows(engine):
    script = ScriptDirectory.from_config(alembic_config(engine))
    previous = script.get_revision("0003").down_revision
    database_downgrade(engine, previous)
    assert not NEW_TABLES & set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO courses (slug, title) VALUES ('c', 'Course')"))
    database_upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= NEW_TABLES
    with engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM courses WHERE slug = 'c'")).scalar() == "Course"
