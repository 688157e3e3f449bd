"""evaluation disclosure: names-visible offering setting, release batches, export order seed;
submission times kept to the day

Revision ID: 0011_evaluation_disclosure
Revises: 0010_retention_payment
Create Date: 2026-11-30
"""

import secrets
from collections.abc import Sequence
from datetime import time

import sqlalchemy as sa
from alembic import op

import portal.models.base
from portal.timefmt import local_date, local_instant

revision: str = "0011_evaluation_disclosure"
down_revision: str | Sequence[str] | None = "0010_retention_payment"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MINIMUM = 3  # the courses' default minimum group size

offerings = sa.table("offerings", sa.column("id", sa.Integer), sa.column("time_zone", sa.String))
evaluations = sa.table(
    "evaluations",
    sa.column("id", sa.Integer),
    sa.column("offering_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("created_at", portal.models.base.UTCDateTime(timezone=True)),
    sa.column("updated_at", portal.models.base.UTCDateTime(timezone=True)),
    sa.column("submitted_at", portal.models.base.UTCDateTime(timezone=True)),
    sa.column("release_batch", sa.Integer),
)
releases = sa.table(
    "evaluation_releases",
    sa.column("offering_id", sa.Integer),
    sa.column("order_seed", sa.String),
    sa.column("released", sa.Integer),
    sa.column("batches", sa.Integer),
)


def upgrade() -> None:
    # Plain ADD COLUMN: a batch copy of offerings would trip SQLite's foreign keys.
    op.add_column(
        "offerings",
        sa.Column(
            "evaluation_names_visible", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )
    op.add_column("evaluations", sa.Column("release_batch", sa.Integer(), nullable=True))
    op.create_table(
        "evaluation_releases",
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("order_seed", sa.String(length=32), nullable=False),
        sa.Column("released", sa.Integer(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offerings.id"],
            name=op.f("fk_evaluation_releases_offering_id_offerings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("offering_id", name=op.f("pk_evaluation_releases")),
    )
    _existing_responses()


def _existing_responses() -> None:
    """Responses already submitted: kept to the day, and released when there are enough."""
    conn = op.get_bind()
    for offering_id, zone in conn.execute(sa.select(offerings.c.id, offerings.c.time_zone)):
        submitted = list(
            conn.execute(
                sa.select(evaluations.c.id, evaluations.c.submitted_at).where(
                    evaluations.c.offering_id == offering_id,
                    evaluations.c.status == "submitted",
                )
            )
        )
        for evaluation_id, at in submitted:
            day = local_instant(local_date(at, zone), time(0), zone)
            conn.execute(
                evaluations.update()
                .where(evaluations.c.id == evaluation_id)
                .values(created_at=day, updated_at=day, submitted_at=day)
            )
        enough = len(submitted) >= MINIMUM
        if enough:
            conn.execute(
                evaluations.update()
                .where(
                    evaluations.c.offering_id == offering_id, evaluations.c.status == "submitted"
                )
                .values(release_batch=1)
            )
        conn.execute(
            releases.insert().values(
                offering_id=offering_id,
                order_seed=secrets.token_hex(16),
                released=len(submitted) if enough else 0,
                batches=int(enough),
            )
        )


def downgrade() -> None:
    op.drop_table("evaluation_releases")
    op.drop_column("evaluations", "release_batch")
    op.drop_column("offerings", "evaluation_names_visible")
