from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from portal.db import alembic_config, database_downgrade, database_upgrade, engine_create


def test_upgrade_keeps_attendance_rows_and_adds_the_new_tables(tmp_path: Path):
    engine = engine_create(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    previous = (
        ScriptDirectory.from_config(alembic_config(engine)).get_revision("0005").down_revision
    )
    database_upgrade(engine, str(previous))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, email, full_name, password_hash, role, is_active, failed_sign_ins, sessions_valid_after, created_at) VALUES (1, 'u', 'u@x.org', 'U', '!', 'participant', 1, 0, '2023-01-01', '2023-01-01')"
            )
        )
        conn.execute(text("INSERT INTO courses (id, slug, title) VALUES (1, 'c', 'C')"))
        conn.execute(
            text(
                "INSERT INTO offerings (id, course_id, slug, label, time_zone, status, is_demo, fee_cents, early_fee_cents, deposit_cents, late_tolerance_minutes, early_leave_tolerance_minutes) VALUES (1, 1, 'o', 'O', 'UTC', 'open', 0, 0, 0, 0, 15, 15)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO live_sessions (id, offering_id, position, title, starts_at, ends_at, instructional_minutes) VALUES (1, 1, 1, 'S', '2023-05-18 16:00:00', '2023-05-18 19:00:00', 180)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO enrollments (id, user_id, offering_id, status, fee_cents, enrolled_at) VALUES (1, 1, 1, 'active', 0, '2023-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO attendance (enrollment_id, live_session_id, checked_in_at, checked_out_at, source, reason, updated_at) VALUES (1, 1, '2023-05-18 16:00:00', '2023-05-18 19:00:00', 'code', '', '2023-05-18')"
            )
        )
    database_upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM attendance")).scalar() == 1
        assert conn.execute(text("SELECT evidence_minutes FROM attendance")).scalar() is None
    tables = set(inspect(engine).get_table_names())
    assert {"attendance_code_windows", "attendance_code_failures", "attendance_changes",
            "attendance_correction_requests", "attendance_imports"} <= tables  # fmt: skip
    database_downgrade(engine, str(previous))
    assert "attendance_changes" not in set(inspect(engine).get_table_names())
    engine.dispose()
