"""materials: files and links, their versions and bytes, progress marks, private journal

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.models.base

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "material_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_material_blobs")),
    )
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("partner_text", sa.Text(), nullable=False),
        sa.Column("self_text", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_journal_entries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
        sa.UniqueConstraint(
            "user_id", "entry_date", name=op.f("uq_journal_entries_user_id_entry_date")
        ),
    )
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_journal_entries_user_id"), ["user_id"], unique=False)

    op.create_table(
        "materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=True),
        sa.Column("placement", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", portal.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'link') = (url IS NOT NULL)", name=op.f("ck_materials_link_has_url")
        ),
        sa.CheckConstraint(
            "kind IN ('pdf', 'audio', 'video', 'image', 'markdown', 'link')",
            name=op.f("ck_materials_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_materials_course_id_courses")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_materials_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by"], ["users.id"], name=op.f("fk_materials_deleted_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["offering_id"], ["offerings.id"], name=op.f("fk_materials_offering_id_offerings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_materials")),
    )
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_materials_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_materials_offering_id"), ["offering_id"], unique=False)

    op.create_table(
        "material_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("blob_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["blob_sha256"],
            ["material_blobs.sha256"],
            name=op.f("fk_material_versions_blob_sha256_material_blobs"),
        ),
        sa.ForeignKeyConstraint(
            ["material_id"],
            ["materials.id"],
            name=op.f("fk_material_versions_material_id_materials"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_material_versions_uploaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_material_versions")),
        sa.UniqueConstraint(
            "material_id", "number", name=op.f("uq_material_versions_material_id_number")
        ),
    )
    with op.batch_alter_table("material_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_material_versions_blob_sha256"), ["blob_sha256"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_material_versions_material_id"), ["material_id"], unique=False
        )

    op.create_table(
        "progress_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=140), nullable=False),
        sa.Column("completed_at", portal.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_progress_marks_enrollment_id_enrollments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_marks")),
        sa.UniqueConstraint(
            "enrollment_id", "item_key", name=op.f("uq_progress_marks_enrollment_id_item_key")
        ),
    )
    with op.batch_alter_table("progress_marks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_progress_marks_enrollment_id"), ["enrollment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("progress_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_marks_enrollment_id"))

    op.drop_table("progress_marks")
    with op.batch_alter_table("material_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_material_versions_material_id"))
        batch_op.drop_index(batch_op.f("ix_material_versions_blob_sha256"))

    op.drop_table("material_versions")
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_materials_offering_id"))
        batch_op.drop_index(batch_op.f("ix_materials_course_id"))

    op.drop_table("materials")
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journal_entries_user_id"))

    op.drop_table("journal_entries")
    op.drop_table("material_blobs")
