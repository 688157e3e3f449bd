"""Migration 0009: record foreign keys become RESTRICT, and the upgrade keeps every row
(on SQLite the tables are copied; no cascade may fire on the copy)."""

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from portal.db import database_downgrade, database_upgrade

ROWS = [
    "INSERT INTO users (id, username, email, full_name, password_hash, role, is_active,"
    " failed_sign_ins, sessions_valid_after, created_at) VALUES (1, 'u', 'u@x.org', 'U', '!',"
    " 'participant', true, 0, '2023-01-01', '2023-01-01')",
    "INSERT INTO courses (id, slug, title) VALUES (1, 'c', 'C')",
    "INSERT INTO offerings (id, course_id, slug, label, time_zone, status, is_demo, fee_cents,"
    " early_fee_cents, deposit_cents, late_tolerance_minutes, early_leave_tolerance_minutes)"
    " VALUES (1, 1, 'o', 'O', 'UTC', 'open', false, 0, 0, 0, 15, 15)",
    "INSERT INTO live_sessions (id, offering_id, position, title, starts_at, ends_at,"
    " instructional_minutes) VALUES (1, 1, 1, 'S', '2023-05-18 16:00:00',"
    " '2023-05-18 19:00:00', 180)",
    "INSERT INTO enrollments (id, user_id, offering_id, status, fee_cents, enrolled_at)"
    " VALUES (1, 1, 1, 'active', 0, '2023-01-01')",
    "INSERT INTO attendance (id, enrollment_id, live_session_id, checked_in_at, checked_out_at,"
    " source, reason, updated_at) VALUES (1, 1, 1, '2023-05-18 16:00:00',"
    " '2023-05-18 19:00:00', 'manual', 'phone', '2023-05-18')",
    "INSERT INTO attendance_changes (id, attendance_id, at, action, source, reason, before,"
    " after) VALUES (1, 1, '2023-05-18', 'mark', 'manual', 'phone', '{}', '{}')",
    "INSERT INTO attendance_correction_requests (id, enrollment_id, live_session_id, note,"
    " status, created_at, decision_reason) VALUES (1, 1, 1, 'n', 'pending', '2023-05-18', '')",
    "INSERT INTO evaluations (id, enrollment_id, offering_id, status, created_at, updated_at)"
    " VALUES (1, 1, 1, 'draft', '2023-05-18', '2023-05-18')",
    "INSERT INTO evaluation_answers (id, evaluation_id, question_id, item, value_num)"
    " VALUES (1, 1, 'q', 0, 4)",
]
TABLES = (
    "attendance",
    "attendance_changes",
    "attendance_correction_requests",
    "evaluations",
    "evaluation_answers",
)


def _counts(engine):
    with engine.connect() as conn:
        return [conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES]


def test_upgrade_keeps_records_and_then_refuses_deleting_their_session(engine):
    database_downgrade(engine, "0008_outbox_sending")
    with engine.begin() as conn:
        for row in ROWS:
            conn.execute(text(row))
    database_upgrade(engine)
    assert _counts(engine) == [1, 1, 1, 1, 1]
    for statement in ("DELETE FROM live_sessions", "DELETE FROM enrollments"):
        try:
            with engine.begin() as conn:
                conn.execute(text(statement))
        except IntegrityError:
            pass
        else:
            raise AssertionError(f"{statement} was not refused")
    assert _counts(engine) == [1, 1, 1, 1, 1]
    database_downgrade(engine, "0008_outbox_sending")
    assert _counts(engine) == [1, 1, 1, 1, 1]
