"""Migrations: from empty to head and back, and every upgrade keeps existing rows."""

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from portal.db import alembic_config, database_downgrade, database_upgrade, engine_create


def _revisions(engine):
    script = ScriptDirectory.from_config(alembic_config(engine))
    return list(reversed(list(script.walk_revisions())))


def test_there_is_one_head(engine):
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert len(script.get_heads()) == 1


def test_downgrade_to_base_and_upgrade_again(engine):
    database_downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    database_upgrade(engine)
    assert {"users", "offerings", "enrollments", "attendance"} <= set(
        inspect(engine).get_table_names()
    )


def test_upgrading_from_the_foundation_keeps_people_and_enrollments(engine):
    database_downgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, email, full_name, password_hash, role, is_active,"
                " failed_sign_ins, sessions_valid_after, created_at) VALUES (1, 'pat', 'p@e.org',"
                " 'Pat', 'x', 'participant', true, 0, '2023-01-01', '2023-01-01')"
            )
        )
        conn.execute(text("INSERT INTO courses (id, slug, title) VALUES (1, 'c', 'C')"))
        conn.execute(
            text(
                "INSERT INTO offerings (id, course_id, slug, label, time_zone, status, is_demo,"
                " fee_cents, early_fee_cents, deposit_cents, late_tolerance_minutes,"
                " early_leave_tolerance_minutes) VALUES (1, 1, 'o', 'O', 'UTC', 'open', false,"
                " 100, 90, 10, 15, 15)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO enrollments (id, user_id, offering_id, status, fee_cents, enrolled_at)"
                " VALUES (1, 1, 1, 'active', 100, '2023-01-01')"
            )
        )
    database_upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT username FROM users")).scalar() == "pat"
        assert conn.execute(text("SELECT fee_cents FROM enrollments")).scalar() == 100


def test_each_revision_upgrades_from_its_predecessor(database_url):
    engine = engine_create(database_url)
    revisions = _revisions(engine)
    database_downgrade(engine, "base")
    for revision in revisions:
        database_upgrade(engine, revision.revision)
    engine.dispose()


def test_models_and_migrations_agree(engine):
    """What `alembic check` verifies: autogenerate finds nothing to add, drop or alter."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from portal.models import Base

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        diffs = compare_metadata(context, Base.metadata)
    assert diffs == []
