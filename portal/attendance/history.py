"""Attendance change history: every change keeps its before and after values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from portal.models import Attendance, AttendanceChange, Enrollment, LiveSession, User
from portal.records.audit import audit_record
from portal.timefmt import format_instant


def snapshot(row: Attendance | None) -> dict[str, Any]:
    """The evidence of a record as plain JSON values (empty for no record)."""
    if row is None:
        return {}
    return {
        "checked_in_at": row.checked_in_at.isoformat() if row.checked_in_at else None,
        "checked_out_at": row.checked_out_at.isoformat() if row.checked_out_at else None,
        "source": row.source,
        "evidence_minutes": row.evidence_minutes,
        "reason": row.reason,
    }


def snapshot_text(values: dict[str, Any], time_zone: str) -> str:
    """A snapshot's check-in and check-out for people, in the offering's zone:
    'Mon, Dec 7, 2026, 7:45 PM PST → —'."""

    def one(key: str) -> str:
        value = values.get(key)
        return format_instant(datetime.fromisoformat(value), time_zone) if value else "—"

    return f"{one('checked_in_at')} → {one('checked_out_at')}"


def change_record(
    *,
    session: Session,
    row: Attendance,
    before: dict[str, Any],
    actor_id: int | None,
    action: str,
    reason: str = "",
    code_hash: str | None = None,
    import_id: int | None = None,
) -> AttendanceChange:
    """Append the change to the history and to the audit trail, in the caller's transaction."""
    after = snapshot(row)
    change = AttendanceChange(
        attendance_id=row.id,
        at=row.updated_at,
        actor_id=actor_id,
        action=action,
        source=row.source,
        reason=reason,
        before=before,
        after=after,
        code_hash=code_hash,
        import_id=import_id,
    )
    session.add(change)
    audit_record(
        session=session,
        actor_id=actor_id,
        action=f"attendance.{action}",
        subject_type="attendance",
        subject_id=row.id,
        reason=reason,
        details={
            "enrollment_id": row.enrollment_id,
            "live_session_id": row.live_session_id,
            "before": before,
            "after": after,
        },
    )
    return change


@dataclass(frozen=True)
class ChangeView:
    """One entry of a record's history."""

    at: datetime
    actor: str
    action: str
    source: str
    reason: str
    before: dict[str, Any]
    after: dict[str, Any]


def changes_of(session: Session, attendance_id: int) -> list[ChangeView]:
    """A record's history, oldest first."""
    query = (
        select(AttendanceChange, User.full_name)
        .outerjoin(User, User.id == AttendanceChange.actor_id)
        .where(AttendanceChange.attendance_id == attendance_id)
        .order_by(AttendanceChange.id)
    )
    return [
        ChangeView(c.at, name or "—", c.action, c.source, c.reason, c.before, c.after)
        for c, name in session.execute(query)
    ]


@dataclass(frozen=True)
class OfferingChange:
    """One change of any attendance record of an offering, with whose and which session."""

    enrollment_id: int
    name: str
    session_title: str
    change: ChangeView


def offering_changes(session: Session, offering_id: int) -> list[OfferingChange]:
    """Every attendance change of an offering, oldest first (records bundle, staff views)."""
    actor, person = aliased(User), aliased(User)
    query = (
        select(AttendanceChange, actor.full_name, person.full_name, Attendance, LiveSession.title)
        .join(Attendance, Attendance.id == AttendanceChange.attendance_id)
        .join(LiveSession, LiveSession.id == Attendance.live_session_id)
        .join(Enrollment, Enrollment.id == Attendance.enrollment_id)
        .join(person, person.id == Enrollment.user_id)
        .outerjoin(actor, actor.id == AttendanceChange.actor_id)
        .where(Enrollment.offering_id == offering_id)
        .order_by(AttendanceChange.id)
    )
    return [
        OfferingChange(
            row.enrollment_id,
            name,
            title,
            ChangeView(c.at, by or "—", c.action, c.source, c.reason, c.before, c.after),
        )
        for c, by, name, row, title in session.execute(query)
    ]
