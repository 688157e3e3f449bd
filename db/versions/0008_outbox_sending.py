"""outbox: a message being sent is marked 'sending' (its lease ends at next_attempt_at)

Revision ID: 0008_outbox_sending
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_outbox_sending"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_messages_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_outbox_messages_status"),
            "status IN ('pending', 'sending', 'sent', 'failed')",
        )


def downgrade() -> None:
    # A message caught mid-send goes back to the queue; it was never recorded as sent.
    op.execute("UPDATE outbox_messages SET status = 'pending' WHERE status = 'sending'")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_messages_status"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_outbox_messages_status"), "status IN ('pending', 'sent', 'failed')"
        )
