"""Attendance status: the one place that decides whether attendance meets a credit rule.

A session counts when the minutes missed of it in total (late arrival, early leave and the
gaps a platform report shows) are at most the credit type's tolerance, stated in the course
file (max_missed_minutes_per_session). Staff pages, Home and evaluation eligibility use the
course's strictest rule (`course_policy`); a certificate uses its own credit type's.

Evaluation eligibility and certificate eligibility read attendance only through
`attendance_summary` / `attendance_summaries`; they have no attendance logic of their own.
`enrollments_meeting` is the same rule in SQL (tests/attendance/test_full_attendance_sql.py
proves them equal); instants are compared in whole microseconds on both sides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from portal.courses.content import Course, CourseFileError, CreditType, course_get
from portal.errors import NotFound
from portal.models import Attendance, Enrollment, LiveSession, Offering
from portal.settings import settings_load

Status = Literal["present", "partial", "absent"]


DEFAULT_MISSED_MINUTES = 5
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class Policy:
    """A credit rule's tolerance: minutes a person may miss of each session in total, and
    whether every session must count."""

    missed_minutes: int = DEFAULT_MISSED_MINUTES
    full_attendance_required: bool = True

    @property
    def missed(self) -> timedelta:
        """The tolerance as a duration."""
        return timedelta(minutes=self.missed_minutes)


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

    def earned_minutes(self, *, full_attendance_required: bool) -> int:
        """Instructional minutes that earn credit: none unless attendance meets the rule."""
        if not self.meets(full_attendance_required=full_attendance_required):
            return 0
        return self.credited_minutes

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
    """Status and instructional minutes attended of one session from its evidence: present
    when the time missed (outside check-in to check-out, or missing from a platform report)
    is at most the policy's tolerance."""
    if record is None or record.checked_in_at is None:
        return "absent", 0
    if record.checked_out_at is None:
        return "partial", 0
    start = max(record.checked_in_at, live.starts_at)
    end = min(record.checked_out_at, live.ends_at)
    attended = max(timedelta(0), end - start)
    if record.evidence_minutes is not None:  # a platform report knows the gaps in between
        attended = min(attended, timedelta(minutes=record.evidence_minutes))
    minutes = _instructional(live, attended.total_seconds())
    missed = (live.ends_at - live.starts_at) - attended
    return ("present" if missed <= policy.missed else "partial"), minutes


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


def policy_for(credit_type: CreditType) -> Policy:
    """A credit type's rule, as stated in the course file."""
    return Policy(credit_type.max_missed_minutes_per_session, credit_type.full_attendance_required)


def course_policy(offering: Offering) -> Policy:
    """The strictest rule among the course's credit types (what staff pages, Home and
    evaluation eligibility show): the fewest minutes missed, full attendance if any needs it."""
    try:
        course = course_get(settings_load().content_dir, offering.course.slug)
    except CourseFileError:
        return Policy()
    return strictest_policy(course)


def strictest_policy(course: Course) -> Policy:
    """The strictest rule among a course's credit types (see course_policy)."""
    policies = [policy_for(c) for c in course.credit_types]
    if not policies:
        return Policy()
    return Policy(
        min(p.missed_minutes for p in policies),
        any(p.full_attendance_required for p in policies),
    )


def policy_of(offering: Offering) -> Policy:
    """The offering's attendance policy for display and evaluation (see course_policy)."""
    return course_policy(offering)


def _summaries(
    session: Session,
    offering: Offering,
    enrollments: list[Enrollment],
    policy: Policy | None = None,
) -> dict[int, AttendanceSummary]:
    records = attendance_records(session, [e.id for e in enrollments])
    policy, lives = policy or policy_of(offering), offering.sessions
    return {e.id: summary_of(e, lives, records[e.id], policy) for e in enrollments}


def attendance_records(
    session: Session, enrollment_ids: list[int]
) -> defaultdict[int, dict[int, Attendance]]:
    """The enrollments' evidence in one query: by enrollment id, then live session id."""
    records: defaultdict[int, dict[int, Attendance]] = defaultdict(dict)
    query = select(Attendance).where(Attendance.enrollment_id.in_(enrollment_ids))
    for row in session.scalars(query):
        records[row.enrollment_id][row.live_session_id] = row
    return records


def summary_of(
    enrollment: Enrollment,
    lives: Sequence[LiveSession],
    records: Mapping[int, Attendance],
    policy: Policy,
) -> AttendanceSummary:
    """One enrollment's summary from its offering's sessions and its evidence (read by the
    caller, so that a page summarising under several policies queries once)."""
    return AttendanceSummary(
        enrollment_id=enrollment.id,
        enrollment_active=enrollment.status == "active",
        sessions=tuple(_session_attendance(s, records.get(s.id), policy) for s in lives),
    )


def attendance_summary(
    session: Session, enrollment_id: int, policy: Policy | None = None
) -> AttendanceSummary:
    """One enrollment's attendance summary under a policy (the course's strictest rule by
    default; a certificate passes its credit type's)."""
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise NotFound("No such enrollment.")
    offering = session.get(Offering, enrollment.offering_id)
    assert offering is not None  # guaranteed by the foreign key
    return _summaries(session, offering, [enrollment], policy)[enrollment_id]


def attendance_summaries(
    session: Session, offering_id: int, policy: Policy | None = None
) -> dict[int, AttendanceSummary]:
    """Every enrollment's attendance summary in an offering, by enrollment id."""
    offering = session.get(Offering, offering_id)
    if offering is None:
        raise NotFound("No such offering.")
    enrollments = list(
        session.scalars(select(Enrollment).where(Enrollment.offering_id == offering_id))
    )
    return _summaries(session, offering, enrollments, policy)


class _EpochMicroseconds(FunctionElement[int]):
    """An instant column as whole microseconds since 1970 (exact on SQLite and PostgreSQL)."""

    type = BigInteger()
    inherit_cache = True
    name = "epoch_microseconds"


@compiles(_EpochMicroseconds, "sqlite")
def _epoch_sqlite(element: _EpochMicroseconds, compiler: SQLCompiler, **kw: object) -> str:
    # UTCDateTime stores 'YYYY-MM-DD HH:MM:SS.ffffff' (always six digits) on SQLite. The
    # whole seconds are read without the fraction, which SQLite would round to milliseconds.
    value = compiler.process(next(iter(element.clauses)), **kw)
    return (
        f"(CAST(strftime('%s', substr({value}, 1, 19)) AS INTEGER) * 1000000"
        f" + CAST(substr({value}, 21, 6) AS INTEGER))"
    )


@compiles(_EpochMicroseconds, "postgresql")
def _epoch_postgresql(element: _EpochMicroseconds, compiler: SQLCompiler, **kw: object) -> str:
    value = compiler.process(next(iter(element.clauses)), **kw)
    return f"CAST(EXTRACT(EPOCH FROM {value}) * 1000000 AS BIGINT)"


def _microseconds(instant: datetime) -> int:
    return (instant - _EPOCH) // _US


def _present_clause(live: LiveSession, policy: Policy) -> ColumnElement[bool]:
    """session_status(...) == "present" for one session, as SQL over Attendance.

    With check-in before check-out (a table constraint) the time missed is the lateness
    plus the early leave (each at least zero) while that is below the session's length, so
    "missed <= tolerance" is "late + early <= tolerance" (tolerances are shorter than a
    session); a platform report must also vouch for the length less the tolerance.
    """
    start, end = _microseconds(live.starts_at), _microseconds(live.ends_at)
    tolerance = policy.missed // _US
    late = _EpochMicroseconds(Attendance.checked_in_at) - start
    early = end - _EpochMicroseconds(Attendance.checked_out_at)
    missed = case((late > 0, late), else_=0) + case((early > 0, early), else_=0)
    return and_(
        Attendance.live_session_id == live.id,
        Attendance.checked_in_at.is_not(None),
        Attendance.checked_out_at.is_not(None),
        missed <= tolerance,
        or_(
            Attendance.evidence_minutes.is_(None),
            cast(Attendance.evidence_minutes, BigInteger) * 60_000_000 >= (end - start) - tolerance,
        ),
    )


def enrollments_meeting(
    session: Session,
    offering_id: int,
    *,
    full_attendance_required: bool,
    policy: Policy | None = None,
) -> set[int]:
    """Active enrollments whose attendance earns credit, decided in SQL: the same rule as
    AttendanceSummary.meets (every session present, or where partial credit is allowed at
    least one; sessions have instructional minutes > 0), without loading the rows."""
    offering = session.get(Offering, offering_id)
    if offering is None:
        raise NotFound("No such offering.")
    lives, policy = offering.sessions, policy or policy_of(offering)
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
