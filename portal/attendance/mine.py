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
    attendance_summary,
)
from portal.certificates.eligibility import AttendanceRule, attendance_rules_for
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
    return {e.id: attendance_summary(session, e.id) for e, _ in enrollments}


def _live_now(
    session: Session,
    enrollments: list[tuple[Enrollment, Offering]],
    summaries: Summaries,
    now: datetime,
) -> list[LiveNow]:
    found = []
    for enrollment, offering in enrollments:
        if enrollment.status != "active":
            continue
        for s in summaries[enrollment.id].sessions:
            if not s.starts_at - LEAD <= now <= s.ends_at + LEAD:
                continue
            kinds = session.scalars(
                select(CodeWindow.kind).where(
                    CodeWindow.live_session_id == s.live_session_id,
                    CodeWindow.opens_at <= now,
                    CodeWindow.closes_at > now,
                )
            ).all()
            found.append(
                LiveNow(
                    s.live_session_id, s.title, offering.label, offering.time_zone,
                    s.starts_at, s.ends_at, tuple(sorted(set(kinds))),
                    s.checked_in_at, s.checked_out_at,
                )
            )  # fmt: skip
    return found


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


def sessions_live_now(session: Session, user_id: int, now: datetime) -> list[LiveNow]:
    """The person's sessions live now (active enrollments only), with open windows."""
    enrollments = _enrollments(session, user_id)
    return _live_now(session, enrollments, _summaries(session, enrollments), now)


def my_attendance(session: Session, user_id: int) -> list[MyOffering]:
    """The person's own evidence per session in each of their offerings."""
    enrollments = _enrollments(session, user_id)
    return _mine(session, enrollments, _summaries(session, enrollments))


def _person(session: Session, user_id: int) -> User | None:
    """The person with their licenses, in one statement."""
    query = select(User).where(User.id == user_id).options(joinedload(User.licenses))
    return session.scalars(query).unique().one_or_none()


def check_in_view(
    session: Session, user_id: int, now: datetime, *, content_dir: Path
) -> CheckInView:
    """All three in one read, each enrollment's attendance summarised once.

    The person (with licenses) and the enrollments are loaded first and held (the session
    keeps only weak references), so the rules find them instead of loading them one by one."""
    person = _person(session, user_id)
    enrollments = _enrollments(session, user_id)
    rules = attendance_rules_for(session, user_id, content_dir=content_dir, now=now)
    del person  # held until here
    summaries = _summaries(session, enrollments)
    return CheckInView(
        tuple(rules),
        tuple(_live_now(session, enrollments, summaries, now)),
        tuple(_mine(session, enrollments, summaries)),
    )
