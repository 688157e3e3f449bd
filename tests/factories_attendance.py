"""Factories for attendance evidence."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from portal.models import Attendance, CodeWindow, Enrollment, LiveSession, Offering, utc_now


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


def window_make(
    session: Session,
    live: LiveSession,
    *,
    kind: str = "in",
    opens_at: datetime | None = None,
    minutes: int = 30,
    interval_seconds: int = 300,
    grace_seconds: int = 60,
) -> CodeWindow:
    """An open check-in (or check-out) window of a session."""
    opens_at = opens_at or utc_now()
    window = CodeWindow(
        live_session_id=live.id,
        kind=kind,
        secret=secrets.token_hex(32),
        interval_seconds=interval_seconds,
        grace_seconds=grace_seconds,
        opens_at=opens_at,
        closes_at=opens_at + timedelta(minutes=minutes),
    )
    session.add(window)
    session.flush()
    return window
