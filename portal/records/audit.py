"""Audit trail: record an event inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models import AuditEvent


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
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        reason=reason,
        details=details or {},
    )
    session.add(event)
    return event
