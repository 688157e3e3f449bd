"""retention and payment: when an offering ended, whether certificates need the fee, waivers

Revision ID: 0010_retention_payment
Revises: 0009_records_restrict
Create Date: 2026-11-30

offerings.ended_at is recorded once, when the portal first sees the last session over, and
never moved by later edits; retention counts from it (and from the latest certificate).
Existing offerings get it at the next start (portal.records.retention).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision: str = "0010_retention_payment"
down_revision: str | Sequence[str] | None = "0009_records_restrict"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ended_at", portal.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "certificate_requires_payment",
                sa.Boolean(),
                server_default=sa.true(),
                nullable=False,
            )
        )
    op.create_table(
        "fee_waivers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("waived_by_id", sa.Integer(), nullable=True),
        sa.Column("waived_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_fee_waivers_enrollment_id_enrollments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["waived_by_id"], ["users.id"], name=op.f("fk_fee_waivers_waived_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_waivers")),
        sa.UniqueConstraint("enrollment_id", name=op.f("uq_fee_waivers_enrollment_id")),
    )


def downgrade() -> None:
    op.drop_table("fee_waivers")
    with op.batch_alter_table("offerings", schema=None) as batch_op:
        batch_op.drop_column("certificate_requires_payment")
        batch_op.drop_column("ended_at")
