"""Factories for attendance evidence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from portal.models import Attendance, Enrollment, LiveSession, Offering


def attendance_make(
    session: Session,
    enrollment: Enrollment,
    live: LiveSession,
    *,
    checked_in_at: datetime | None = None,
    checked_out_at: datetime | None = None,
    source: str = "code",
) -> Attendance:
    """Evidence for one session; by default checked in at the start and out at the end."""
    row = Attendance(
        enrollment_id=enrollment.id,
        live_session_id=live.id,
        checked_in_at=checked_in_at or live.starts_at,
        checked_out_at=checked_out_at or live.ends_at,
        source=source,
    )
    session.add(row)
    session.flush()
    return row


def attendance_full(session: Session, enrollment: Enrollment, offering: Offering) -> None:
    """The enrollment attended every session of the offering in full."""
    for live in offering.sessions:
        attendance_make(session, enrollment, live)
