"""Audit trail: record an event inside the caller's transaction, chained for tamper evidence.

Each event stores a SHA-256 over its content and the previous event's hash, so removing,
reordering or rewriting a stored event breaks the chain at that point (`portal audit verify`
names it). The chain is extended under a lock so concurrent writers cannot fork it: a
PostgreSQL transaction-level advisory lock; on SQLite every write transaction already begins
with BEGIN IMMEDIATE, which holds the database's write lock until it ends.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portal.models import AuditEvent, utc_now

GENESIS = "0" * 64
# pg_advisory_xact_lock key of the audit chain (any constant no other lock uses).
CHAIN_LOCK = 0x61756469  # "audi"


def event_digest(
    *,
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    reason: str,
    details: dict[str, Any],
) -> str:
    """The hash of an event's content chained to the previous event's hash (stable format)."""
    content = [
        prev_hash,
        at.astimezone(UTC).isoformat(timespec="microseconds"),
        actor_id,
        action,
        subject_type,
        subject_id,
        reason,
        details,
    ]
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _chain_tip(session: Session) -> str:
    """The hash of the newest event, with the chain locked until this transaction ends.

    The query flushes events added earlier in this transaction first, so they are part of
    the chain; an event a rolled-back savepoint took with it is not.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    tip = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return tip or GENESIS


def audit_record(
    *,
    session: Session,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event; it commits or rolls back with the action it describes."""
    # Stored as JSON and read back: hash exactly what a reader will see.
    stored = json.loads(json.dumps(details or {}))
    prev_hash = _chain_tip(session)
    at = utc_now()
    digest = event_digest(
        prev_hash=prev_hash, at=at, actor_id=actor_id, action=action,
        subject_type=subject_type, subject_id=subject_id, reason=reason, details=stored,
    )  # fmt: skip
    event = AuditEvent(
        at=at,
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        reason=reason,
        details=stored,
        prev_hash=prev_hash,
        hash=digest,
    )
    session.add(event)
    return event
