"""Attendance status: the one place that decides whether attendance meets a credit rule.

Evaluation eligibility and certificate eligibility read attendance only through
`attendance_summary` / `attendance_summaries`; they have no attendance logic of their own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from portal.courses.content import CreditType
from portal.errors import NotFound
from portal.models import Attendance, Enrollment, LiveSession, Offering

Status = Literal["present", "partial", "absent"]


@dataclass(frozen=True)
class Policy:
    """An offering's tolerance for arriving late and leaving early, in minutes."""

    late_minutes: int = 15
    early_leave_minutes: int = 15


@dataclass(frozen=True)
class SessionAttendance:
    """One enrollment at one live session: the evidence and what it adds up to."""

    live_session_id: int
    position: int
    title: str
    starts_at: datetime
    ends_at: datetime
    instructional_minutes: int
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    source: str | None
    minutes_attended: int
    status: Status


@dataclass(frozen=True)
class AttendanceSummary:
    """One enrollment's attendance across the offering's sessions."""

    enrollment_id: int
    enrollment_active: bool
    sessions: tuple[SessionAttendance, ...]

    @property
    def status(self) -> Status:
        """present: every session present; absent: none attended; otherwise partial."""
        statuses = {s.status for s in self.sessions}
        if statuses == {"present"}:
            return "present"
        return "absent" if statuses <= {"absent"} else "partial"

    @property
    def credited_minutes(self) -> int:
        """Instructional minutes of the sessions attended in full."""
        return sum(s.instructional_minutes for s in self.sessions if s.status == "present")

    @property
    def total_instructional_minutes(self) -> int:
        """Instructional minutes of the whole offering."""
        return sum(s.instructional_minutes for s in self.sessions)

    @property
    def last_session_ends_at(self) -> datetime | None:
        """When the offering's last session ends."""
        return max((s.ends_at for s in self.sessions), default=None)

    def meets(self, *, full_attendance_required: bool) -> bool:
        """Whether attendance earns credit: every session in full, or (where partial credit
        is allowed) at least one; never for a cancelled enrollment."""
        if not self.enrollment_active:
            return False
        if full_attendance_required:
            return self.status == "present"
        return self.credited_minutes > 0


def session_status(
    live: LiveSession, record: Attendance | None, policy: Policy
) -> tuple[Status, int]:
    """Status and instructional minutes attended of one session from its evidence."""
    if record is None or record.checked_in_at is None:
        return "absent", 0
    if record.checked_out_at is None:
        return "partial", 0
    start = max(record.checked_in_at, live.starts_at)
    end = min(record.checked_out_at, live.ends_at)
    seconds = max(0.0, (end - start).total_seconds())
    if record.evidence_minutes is not None:  # a platform report knows the gaps in between
        seconds = min(seconds, record.evidence_minutes * 60.0)
    minutes = _instructional(live, seconds)
    on_time = record.checked_in_at <= live.starts_at + timedelta(minutes=policy.late_minutes)
    stayed = record.checked_out_at >= live.ends_at - timedelta(minutes=policy.early_leave_minutes)
    tolerated = (live.ends_at - live.starts_at).total_seconds() - 60 * (
        policy.late_minutes + policy.early_leave_minutes
    )
    return ("present" if on_time and stayed and seconds >= tolerated else "partial"), minutes


def _instructional(live: LiveSession, seconds: float) -> int:
    """Attended clock time as instructional minutes (breaks are spread over the session)."""
    length = (live.ends_at - live.starts_at).total_seconds()
    return min(
        live.instructional_minutes, int(seconds * live.instructional_minutes / length + 1e-6)
    )


def _session_attendance(
    live: LiveSession, record: Attendance | None, policy: Policy
) -> SessionAttendance:
    status, minutes = session_status(live, record, policy)
    return SessionAttendance(
        live_session_id=live.id,
        position=live.position,
        title=live.title,
        starts_at=live.starts_at,
        ends_at=live.ends_at,
        instructional_minutes=live.instructional_minutes,
        checked_in_at=record.checked_in_at if record else None,
        checked_out_at=record.checked_out_at if record else None,
        source=record.source if record else None,
        minutes_attended=minutes,
        status=status,
    )


def meets_credit_type(summary: AttendanceSummary, credit_type: CreditType) -> bool:
    """Whether attendance earns this credit type (full attendance where it requires it)."""
    return summary.meets(full_attendance_required=credit_type.full_attendance_required)


def policy_of(offering: Offering) -> Policy:
    """The offering's attendance policy."""
    return Policy(offering.late_tolerance_minutes, offering.early_leave_tolerance_minutes)


def _summaries(
    session: Session, offering: Offering, enrollments: list[Enrollment]
) -> dict[int, AttendanceSummary]:
    ids = [e.id for e in enrollments]
    records: dict[int, dict[int, Attendance]] = defaultdict(dict)
    for row in session.scalars(select(Attendance).where(Attendance.enrollment_id.in_(ids))):
        records[row.enrollment_id][row.live_session_id] = row
    policy, lives = policy_of(offering), offering.sessions
    return {
        e.id: AttendanceSummary(
            enrollment_id=e.id,
            enrollment_active=e.status == "active",
            sessions=tuple(_session_attendance(s, records[e.id].get(s.id), policy) for s in lives),
        )
        for e in enrollments
    }


def attendance_summary(session: Session, enrollment_id: int) -> AttendanceSummary:
    """One enrollment's attendance summary."""
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise NotFound("No such enrollment.")
    offering = session.get(Offering, enrollment.offering_id)
    assert offering is not None  # guaranteed by the foreign key
    return _summaries(session, offering, [enrollment])[enrollment_id]


def attendance_summaries(session: Session, offering_id: int) -> dict[int, AttendanceSummary]:
    """Every enrollment's attendance summary in an offering, by enrollment id."""
    offering = session.get(Offering, offering_id)
    if offering is None:
        raise NotFound("No such offering.")
    enrollments = list(
        session.scalars(select(Enrollment).where(Enrollment.offering_id == offering_id))
    )
    return _summaries(session, offering, enrollments)


def _present_clause(live: LiveSession, policy: Policy) -> ColumnElement[bool]:
    """session_status(...) == "present" for one session, as SQL over Attendance.

    Checking in within the late tolerance and out within the early-leave tolerance already
    gives at least the tolerated clock time, so only platform evidence can still fall short.
    """
    tolerated = (live.ends_at - live.starts_at).total_seconds() - 60 * (
        policy.late_minutes + policy.early_leave_minutes
    )
    return and_(
        Attendance.live_session_id == live.id,
        Attendance.checked_in_at <= live.starts_at + timedelta(minutes=policy.late_minutes),
        Attendance.checked_out_at >= live.ends_at - timedelta(minutes=policy.early_leave_minutes),
        or_(Attendance.evidence_minutes.is_(None), Attendance.evidence_minutes * 60 >= tolerated),
    )


def enrollments_meeting(
    session: Session, offering_id: int, *, full_attendance_required: bool
) -> set[int]:
    """Active enrollments whose attendance earns credit, decided in SQL: the same rule as
    AttendanceSummary.meets (every session present, or where partial credit is allowed at
    least one; sessions have instructional minutes > 0), without loading the rows."""
    offering = session.get(Offering, offering_id)
    if offering is None:
        raise NotFound("No such offering.")
    lives, policy = offering.sessions, policy_of(offering)
    if not lives:
        return set()  # no session, nothing attended: "absent" in the summary
    present = func.count(Attendance.live_session_id.distinct())
    query = (
        select(Attendance.enrollment_id)
        .join(Enrollment, Enrollment.id == Attendance.enrollment_id)
        .where(Enrollment.offering_id == offering_id, Enrollment.status == "active")
        .where(or_(*(_present_clause(live, policy) for live in lives)))
        .group_by(Attendance.enrollment_id)
        .having(present == len(lives) if full_attendance_required else present >= 1)
    )
    return set(session.scalars(query))


def enrollments_meeting_full_attendance(session: Session, offering_id: int) -> set[int]:
    """Active enrollments present at every session in full (SQL): as
    AttendanceSummary.meets(full_attendance_required=True)."""
    return enrollments_meeting(session, offering_id, full_attendance_required=True)
