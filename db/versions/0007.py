"""certificates: frozen certificates, reissue requests, verification throttle

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The partial unique indexes keep one current certificate per enrollment and credit
    # type, and one pending reissue request per certificate, even under concurrent requests.
    op.create_table(
        "verification_throttle",
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("window_start", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "client_key", "window_start", name=op.f("pk_verification_throttle")
        ),
    )
    with op.batch_alter_table("verification_throttle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_verification_throttle_window_start"), ["window_start"], unique=False
        )

    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("credit_type_id", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("issued_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issue_reason", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('current', 'superseded', 'revoked')", name=op.f("ck_certificates_status")
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_certificates_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["users.id"], name=op.f("fk_certificates_issued_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["users.id"], name=op.f("fk_certificates_revoked_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["certificates.id"],
            name=op.f("fk_certificates_superseded_by_id_certificates"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["certificates.id"],
            name=op.f("fk_certificates_supersedes_id_certificates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("number", name=op.f("uq_certificates_number")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificates_enrollment_id"), ["enrollment_id"], unique=False
        )
        batch_op.create_index(
            "uq_certificates_current_enrollment_credit_type",
            ["enrollment_id", "credit_type_id"],
            unique=True,
            sqlite_where=sa.text("status = 'current'"),
            postgresql_where=sa.text("status = 'current'"),
        )

    op.create_table(
        "certificate_reissue_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'declined')",
            name=op.f("ck_certificate_reissue_requests_status"),
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_reissue_requests_certificate_id_certificates"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_certificate_reissue_requests_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_certificate_reissue_requests_requested_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_reissue_requests")),
    )
    with op.batch_alter_table("certificate_reissue_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certificate_reissue_requests_certificate_id"),
            ["certificate_id"],
            unique=False,
        )
        batch_op.create_index(
            "uq_certificate_reissue_requests_pending",
            ["certificate_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("certificate_reissue_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_certificate_reissue_requests_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index(batch_op.f("ix_certificate_reissue_requests_certificate_id"))

    op.drop_table("certificate_reissue_requests")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_certificates_current_enrollment_credit_type",
            sqlite_where=sa.text("status = 'current'"),
            postgresql_where=sa.text("status = 'current'"),
        )
        batch_op.drop_index(batch_op.f("ix_certificates_enrollment_id"))

    op.drop_table("certificates")
    with op.batch_alter_table("verification_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_throttle_window_start"))

    op.drop_table("verification_throttle")
