"""records restrict: attendance, corrections, evaluations and certificates outlive any edit

Revision ID: 0009_records_restrict
Revises: 0008_outbox_sending
Create Date: 2026-11-30

Foreign keys from CE records to enrollments, live sessions and offerings were ON DELETE
CASCADE, so deleting a session (an offering edit) silently deleted its attendance and
correction history. They become RESTRICT: the database refuses such a delete, and the
records purge deletes children before their parents explicitly.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009_records_restrict"
down_revision: str | Sequence[str] | None = "0008_outbox_sending"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, referred table, ON DELETE before this revision)
RECORD_KEYS = (
    ("attendance", "enrollment_id", "enrollments", "CASCADE"),
    ("attendance", "live_session_id", "live_sessions", "CASCADE"),
    ("attendance_changes", "attendance_id", "attendance", "CASCADE"),
    ("attendance_correction_requests", "enrollment_id", "enrollments", "CASCADE"),
    ("attendance_correction_requests", "live_session_id", "live_sessions", "CASCADE"),
    ("attendance_imports", "live_session_id", "live_sessions", "CASCADE"),
    ("evaluations", "enrollment_id", "enrollments", "CASCADE"),
    ("evaluations", "offering_id", "offerings", "CASCADE"),
    ("evaluation_answers", "evaluation_id", "evaluations", "CASCADE"),
    ("certificates", "enrollment_id", "enrollments", None),
)


def _replace_keys(ondelete_of: dict[tuple[str, str], str | None]) -> None:
    tables = dict.fromkeys(table for table, *_ in RECORD_KEYS)
    for table in tables:
        # SQLite cannot alter a constraint: batch mode copies the table (env.py turns
        # foreign key enforcement off meanwhile so that no cascade fires on the copy).
        with op.batch_alter_table(table, recreate="auto") as batch_op:
            for name, column, referred, _old in RECORD_KEYS:
                if name != table:
                    continue
                key = f"fk_{table}_{column}_{referred}"
                batch_op.drop_constraint(key, type_="foreignkey")
                batch_op.create_foreign_key(
                    key, referred, [column], ["id"], ondelete=ondelete_of[(table, column)]
                )


def upgrade() -> None:
    _replace_keys({(table, column): "RESTRICT" for table, column, *_ in RECORD_KEYS})


def downgrade() -> None:
    _replace_keys({(table, column): old for table, column, _ref, old in RECORD_KEYS})
