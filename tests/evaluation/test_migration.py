from alembic.script import ScriptDirectory
from sqlalchemy import text

from portal.db import alembic_config, database_downgrade, database_upgrade


def _previous_revision(engine):
    script = ScriptDirectory.from_config(alembic_config(engine))
    return script.get_revision("0006").down_revision


def test_upgrade_keeps_existing_rows_and_adds_evaluations(engine):
    database_downgrade(engine, _previous_revision(engine))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO courses (slug, title) VALUES ('c', 'C')"))
    database_upgrade(engine)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT title FROM courses")).scalar() == "C"
        assert conn.execute(text("SELECT count(*) FROM evaluations")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM evaluation_answers")).scalar() == 0
