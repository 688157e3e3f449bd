"""What participants see of attendance: the session live now and their own evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from portal.attendance.status import (
    AttendanceSummary,
    SessionAttendance,
    Status,
    attendance_records,
    course_policy,
    summary_of,
)
from portal.certificates.eligibility import AttendanceRule, attendance_rules
from portal.courses.content import course_get
from portal.errors import NotFound
from portal.models import CodeWindow, CorrectionRequest, Enrollment, Offering, User

# A session shows as "now" from shortly before its start until shortly after its end.
LEAD = timedelta(minutes=30)


@dataclass(frozen=True)
class LiveNow:
    """A session of one of the person's offerings that is live now."""

    live_session_id: int
    title: str
    offering_label: str
    time_zone: str
    starts_at: datetime
    ends_at: datetime
    open_kinds: tuple[str, ...]
    checked_in_at: datetime | None
    checked_out_at: datetime | None


@dataclass(frozen=True)
class MySession:
    """The person's evidence at one session, with any correction request."""

    enrollment_id: int
    attendance: SessionAttendance
    request_status: str | None
    request_note: str
    decision_reason: str


@dataclass(frozen=True)
class MyOffering:
    """The person's attendance in one offering."""

    enrollment_id: int
    offering_label: str
    time_zone: str
    enrollment_status: str
    status: Status
    sessions: tuple[MySession, ...]


def _enrollments(session: Session, user_id: int) -> list[tuple[Enrollment, Offering]]:
    """The person's enrollments, newest first, each offering with its course and sessions
    loaded in the same statement (the summaries and rules would load them one by one)."""
    query = (
        select(Enrollment, Offering)
        .join(Offering, Offering.id == Enrollment.offering_id)
        .where(Enrollment.user_id == user_id)
        .options(joinedload(Offering.course), joinedload(Offering.sessions))
        .order_by(Enrollment.id.desc())
    )
    return [(enrollment, offering) for enrollment, offering in session.execute(query).unique()]


@dataclass(frozen=True)
class CheckInView:
    """What the Check in page shows: the attendance rules, sessions live now and the
    person's evidence."""

    rules: tuple[AttendanceRule, ...]
    live_now: tuple[LiveNow, ...]
    offerings: tuple[MyOffering, ...]


Summaries = dict[int, AttendanceSummary]


def _summaries(session: Session, enrollments: list[tuple[Enrollment, Offering]]) -> Summaries:
    """Each enrollment's summary under its course's rule, the evidence read in one statement."""
    records = attendance_records(session, [e.id for e, _ in enrollments])
    return {
        e.id: summary_of(e, offering.sessions, records[e.id], course_policy(offering))
        for e, offering in enrollments
    }


def _open_kinds(
    session: Session, live_session_ids: list[int], now: datetime
) -> dict[int, tuple[str, ...]]:
    """The kinds of code window open now, per live session, in one statement."""
    query = select(CodeWindow.live_session_id, CodeWindow.kind).where(
        CodeWindow.live_session_id.in_(live_session_ids),
        CodeWindow.opens_at <= now,
        CodeWindow.closes_at > now,
    )
    kinds: dict[int, set[str]] = {}
    for live_session_id, kind in session.execute(query) if live_session_ids else ():
        kinds.setdefault(live_session_id, set()).add(kind)
    return {key: tuple(sorted(found)) for key, found in kinds.items()}


def _live_now(
    session: Session,
    enrollments: list[tuple[Enrollment, Offering]],
    summaries: Summaries,
    now: datetime,
) -> list[LiveNow]:
    live = [
        (offering, s)
        for enrollment, offering in enrollments
        if enrollment.status == "active"
        for s in summaries[enrollment.id].sessions
        if s.starts_at - LEAD <= now <= s.ends_at + LEAD
    ]
    kinds = _open_kinds(session, [s.live_session_id for _, s in live], now)
    return [
        LiveNow(
            s.live_session_id, s.title, offering.label, offering.time_zone, s.starts_at,
            s.ends_at, kinds.get(s.live_session_id, ()), s.checked_in_at, s.checked_out_at,
        )
        for offering, s in live
    ]  # fmt: skip


def _mine(
    session: Session, enrollments: list[tuple[Enrollment, Offering]], summaries: Summaries
) -> list[MyOffering]:
    if not enrollments:
        return []
    requests: dict[tuple[int, int], CorrectionRequest] = {
        (r.enrollment_id, r.live_session_id): r
        for r in session.scalars(
            select(CorrectionRequest)
            .where(CorrectionRequest.enrollment_id.in_([e.id for e, _ in enrollments]))
            .order_by(CorrectionRequest.id)
        )
    }
    result = []
    for enrollment, offering in enrollments:
        summary = summaries[enrollment.id]
        sessions = []
        for s in summary.sessions:
            request = requests.get((enrollment.id, s.live_session_id))
            sessions.append(
                MySession(
                    enrollment.id, s, request.status if request else None,
                    request.note if request else "", request.decision_reason if request else "",
                )
            )  # fmt: skip
        result.append(
            MyOffering(
                enrollment.id, offering.label, offering.time_zone, enrollment.status,
                summary.status, tuple(sessions),
            )
        )  # fmt: skip
    return result


def my_attendance(session: Session, user_id: int) -> list[MyOffering]:
    """The person's own evidence per session in each of their offerings."""
    enrollments = _enrollments(session, user_id)
    return _mine(session, enrollments, _summaries(session, enrollments))


def correction_offering(session: Session, user_id: int, enrollment_id: int) -> MyOffering | None:
    """The person's own active enrollment a correction can be asked for, with its evidence;
    None for anyone else's, or one cancelled or finished."""
    return next(
        (
            offering
            for offering in my_attendance(session, user_id)
            if offering.enrollment_id == enrollment_id and offering.enrollment_status == "active"
        ),
        None,
    )


def _person(session: Session, user_id: int) -> User | None:
    """The person with their licenses, in one statement."""
    query = select(User).where(User.id == user_id).options(joinedload(User.licenses))
    return session.scalars(query).unique().one_or_none()


def check_in_view(
    session: Session, user_id: int, now: datetime, *, content_dir: Path
) -> CheckInView:
    """All three in one read of four statements (person, enrollments, evidence, correction
    requests) plus one for the code windows while a session is live."""
    person = _person(session, user_id)
    if person is None:
        raise NotFound("No such person.")
    enrollments = _enrollments(session, user_id)
    summaries = _summaries(session, enrollments)
    active = [(e, o) for e, o in enrollments if e.status == "active"]
    enrolled = [(e, o, course_get(content_dir, o.course.slug)) for e, o in active]
    return CheckInView(
        tuple(attendance_rules(enrolled, list(person.licenses), now)),
        tuple(_live_now(session, enrollments, summaries, now)),
        tuple(_mine(session, enrollments, summaries)),
    )
