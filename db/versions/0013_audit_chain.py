"""audit chain: each audit event stores its previous event's hash and its own

Existing events are chained in id order. The append-only triggers of 0004 are lifted for the
backfill only (this runs as the tables' owner) and put back.

Revision ID: 0013_audit_chain
Revises: 0012_throttles
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.models.base
from portal.records.audit import GENESIS, event_digest

revision: str = "0013_audit_chain"
down_revision: str | Sequence[str] | None = "0012_throttles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EVENTS = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("at", portal.models.base.UTCDateTime(timezone=True)),
    sa.column("actor_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("subject_type", sa.String()),
    sa.column("subject_id", sa.Integer()),
    sa.column("reason", sa.Text()),
    sa.column("details", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _append_only(on: bool) -> None:
    if _postgresql():
        verb = "ENABLE" if on else "DISABLE"
        op.execute(f"ALTER TABLE audit_events {verb} TRIGGER audit_events_append_only")
        return
    for verb in ("UPDATE", "DELETE"):
        name = f"audit_events_no_{verb.lower()}"
        if on:
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
            )
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _chain_existing() -> None:
    connection = op.get_bind()
    prev_hash = GENESIS
    for row in connection.execute(sa.select(_EVENTS).order_by(_EVENTS.c.id)).mappings().all():
        digest = event_digest(
            prev_hash=prev_hash,
            at=row["at"],
            actor_id=row["actor_id"],
            action=row["action"],
            subject_type=row["subject_type"],
            subject_id=row["subject_id"],
            reason=row["reason"] or "",
            details=row["details"] or {},
        )
        connection.execute(
            _EVENTS.update()
            .where(_EVENTS.c.id == row["id"])
            .values(prev_hash=prev_hash, hash=digest)
        )
        prev_hash = digest


def upgrade() -> None:
    _append_only(False)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _chain_existing()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_prev_hash"), ["prev_hash"])
    _append_only(True)


def downgrade() -> None:
    _append_only(False)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_events_prev_hash"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
    _append_only(True)
