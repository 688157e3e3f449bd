"""Rosters for instructors and admins: who is in, who is out, who is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.attendance.access import live_session_for_staff
from portal.attendance.history import ChangeView, changes_of
from portal.attendance.status import (
    SessionAttendance,
    Status,
    attendance_summaries,
    policy_of,
)
from portal.authz import staff_check, staff_offering_ids, staff_role_check
from portal.errors import NotFound
from portal.learning.home import OfferingView, offering_view
from portal.models import (
    Attendance,
    CorrectionRequest,
    Enrollment,
    LiveSession,
    Offering,
    User,
)


@dataclass(frozen=True)
class RosterRow:
    """One enrolled person with their attendance at every session."""

    enrollment_id: int
    name: str
    email: str
    professions: str
    license_numbers: str
    license_states: str
    enrollment_status: str
    sessions: tuple[SessionAttendance, ...]
    status: Status
    credited_minutes: int


@dataclass(frozen=True)
class OfferingRoster:
    """An offering's roster, in the offering's time zone."""

    offering: OfferingView
    rows: tuple[RosterRow, ...]


def offerings_for_staff(session: Session, user_id: int) -> list[OfferingView]:
    """The offerings a person may run: all for admins, assigned ones for instructors."""
    actor = staff_role_check(session, user_id)
    query = (
        select(Offering)
        .options(selectinload(Offering.sessions), selectinload(Offering.course))
        .where(Offering.id.in_(staff_offering_ids(actor)))
    )
    return [offering_view(o) for o in session.scalars(query.order_by(Offering.id))]


def _row(user: User, enrollment: Enrollment, summary, full_attendance_required: bool) -> RosterRow:  # type: ignore[no-untyped-def]
    licenses = user.licenses
    return RosterRow(
        enrollment_id=enrollment.id,
        name=user.full_name,
        email=user.email,
        professions="; ".join(lic.profession for lic in licenses),
        license_numbers="; ".join(lic.number or "" for lic in licenses),
        license_states="; ".join(lic.state or "" for lic in licenses),
        enrollment_status=enrollment.status,
        sessions=summary.sessions,
        status=summary.status,
        # What earns credit: 0 when attendance falls short of the course's rule.
        credited_minutes=summary.earned_minutes(full_attendance_required=full_attendance_required),
    )


def offering_roster(session: Session, user_id: int, offering_id: int) -> OfferingRoster:
    """Every enrollment of the offering with evidence per session (staff only)."""
    staff_check(session, user_id, offering_id)
    return roster_of(session, offering_id)


def roster_of(session: Session, offering_id: int) -> OfferingRoster:
    """The offering's roster without a permission check (callers check: staff, records)."""
    offering = session.get(Offering, offering_id)
    if offering is None:
        raise NotFound("No such offering.")
    summaries = attendance_summaries(session, offering_id)
    query = (
        select(Enrollment, User)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.offering_id == offering_id)
        .options(selectinload(User.licenses))
        .order_by(User.full_name, Enrollment.id)
    )
    full = policy_of(offering).full_attendance_required
    rows = tuple(_row(u, e, summaries[e.id], full) for e, u in session.execute(query))
    return OfferingRoster(offering_view(offering), rows)


@dataclass(frozen=True)
class LivePerson:
    """One person on the live roster."""

    name: str
    enrollment_status: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None


@dataclass(frozen=True)
class LiveCounts:
    """How many of a session's active participants are in, out and missing."""

    enrolled: int
    checked_in: int
    checked_out: int

    @property
    def missing(self) -> int:
        """Active participants without a check-in."""
        return self.enrolled - self.checked_in


@dataclass(frozen=True)
class LiveChange:
    """A participant whose check-in or check-out changed, as of `at`."""

    enrollment_id: int
    name: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    at: datetime


@dataclass(frozen=True)
class LiveFeed:
    """What the console refreshes: the counts and what changed since its last refresh."""

    counts: LiveCounts
    changes: tuple[LiveChange, ...]  # newest first
    as_of: datetime | None  # pass back as `since` for the next refresh


FEED_LIMIT = 15


def _active_at(live: LiveSession):  # type: ignore[no-untyped-def]
    return (
        select(Attendance, User.full_name)
        .join(Enrollment, Enrollment.id == Attendance.enrollment_id)
        .join(User, User.id == Enrollment.user_id)
        .where(
            Attendance.live_session_id == live.id,
            Enrollment.offering_id == live.offering_id,
            Enrollment.status == "active",
        )
    )


def live_feed(
    session: Session,
    user_id: int,
    live_session_id: int,
    since: datetime | None = None,
    limit: int = FEED_LIMIT,
) -> LiveFeed:
    """Counts from SQL and the check-ins and check-outs after `since` (the latest few when
    None): the console's refresh costs the same with 10 or 10,000 participants."""
    live = live_session_for_staff(session, user_id, live_session_id)
    enrolled = session.scalar(
        select(func.count())
        .select_from(Enrollment)
        .where(Enrollment.offering_id == live.offering_id, Enrollment.status == "active")
    )
    counted = _active_at(live).with_only_columns(
        func.count(Attendance.checked_in_at), func.count(Attendance.checked_out_at)
    )
    checked_in, checked_out = session.execute(counted).one()
    query = _active_at(live).order_by(Attendance.updated_at.desc(), Attendance.id.desc())
    if since is not None:
        query = query.where(Attendance.updated_at > since)
    changes = tuple(
        LiveChange(a.enrollment_id, name, a.checked_in_at, a.checked_out_at, a.updated_at)
        for a, name in session.execute(query.limit(limit))
    )
    as_of = changes[0].at if changes else since
    return LiveFeed(LiveCounts(enrolled or 0, checked_in, checked_out), changes, as_of)


def feed_merge(
    shown: tuple[LiveChange, ...], changes: tuple[LiveChange, ...], keep: int = FEED_LIMIT
) -> tuple[LiveChange, ...]:
    """The console's latest-changes list after a refresh: newest first, each person once
    (their latest change), at most `keep` entries."""
    merged: dict[int, LiveChange] = {}
    for change in sorted((*changes, *shown), key=lambda c: c.at, reverse=True):
        merged.setdefault(change.enrollment_id, change)
    return tuple(merged.values())[:keep]


def _people_query(live: LiveSession, missing_only: bool, search: str):  # type: ignore[no-untyped-def]
    query = (
        select(
            User.full_name, Enrollment.status, Attendance.checked_in_at, Attendance.checked_out_at
        )
        .select_from(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .outerjoin(
            Attendance,
            (Attendance.enrollment_id == Enrollment.id) & (Attendance.live_session_id == live.id),
        )
        .where(Enrollment.offering_id == live.offering_id)
    )
    if missing_only:
        query = query.where(Enrollment.status == "active", Attendance.checked_in_at.is_(None))
    if search.strip():
        query = query.where(func.lower(User.full_name).like(f"%{search.strip().lower()}%"))
    return query


def live_people(
    session: Session,
    user_id: int,
    live_session_id: int,
    *,
    missing_only: bool = False,
    search: str = "",
    limit: int | None = None,
    offset: int = 0,
) -> tuple[LivePerson, ...]:
    """One page of the session's roster by name (or of those who have not checked in),
    filtered by a part of the name."""
    live = live_session_for_staff(session, user_id, live_session_id)
    query = _people_query(live, missing_only, search).order_by(User.full_name, Enrollment.id)
    return tuple(LivePerson(*row) for row in session.execute(query.limit(limit).offset(offset)))


def live_people_count(
    session: Session,
    user_id: int,
    live_session_id: int,
    *,
    missing_only: bool = False,
    search: str = "",
) -> int:
    """How many people live_people pages through."""
    live = live_session_for_staff(session, user_id, live_session_id)
    query = _people_query(live, missing_only, search).subquery()
    return session.scalar(select(func.count()).select_from(query)) or 0


@dataclass(frozen=True)
class RequestView:
    """A participant's correction request as staff see it."""

    id: int
    name: str
    session_title: str
    live_session_id: int
    enrollment_id: int
    note: str
    requested_check_in: datetime | None
    requested_check_out: datetime | None
    status: str
    created_at: datetime
    decision_reason: str


def correction_requests(
    session: Session, user_id: int, offering_id: int, pending_only: bool = True
) -> list[RequestView]:
    """The offering's correction requests, oldest first (staff only)."""
    staff_check(session, user_id, offering_id)
    query = (
        select(CorrectionRequest, User.full_name, LiveSession.title)
        .join(Enrollment, Enrollment.id == CorrectionRequest.enrollment_id)
        .join(User, User.id == Enrollment.user_id)
        .join(LiveSession, LiveSession.id == CorrectionRequest.live_session_id)
        .where(Enrollment.offering_id == offering_id)
        .order_by(CorrectionRequest.id)
    )
    if pending_only:
        query = query.where(CorrectionRequest.status == "pending")
    return [
        RequestView(
            r.id, name, title, r.live_session_id, r.enrollment_id, r.note,
            r.requested_check_in, r.requested_check_out, r.status, r.created_at,
            r.decision_reason,
        )
        for r, name, title in session.execute(query)
    ]  # fmt: skip


def record_history(
    session: Session, user_id: int, enrollment_id: int, live_session_id: int
) -> list[ChangeView]:
    """The change history of one record (staff only)."""
    live = live_session_for_staff(session, user_id, live_session_id)
    row = session.scalar(
        select(Attendance).where(
            Attendance.enrollment_id == enrollment_id, Attendance.live_session_id == live.id
        )
    )
    return changes_of(session, row.id) if row else []
