"""Rosters for instructors and admins: who is in, who is out, who is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.attendance.access import live_session_for_staff, staff_check
from portal.attendance.history import ChangeView, changes_of
from portal.attendance.status import SessionAttendance, Status, attendance_summaries
from portal.errors import NotAllowed, NotFound
from portal.learning.home import OfferingView, offering_view
from portal.models import (
    Attendance,
    CorrectionRequest,
    Enrollment,
    LiveSession,
    Offering,
    OfferingInstructor,
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
    user = session.get(User, user_id)
    if user is None or user.role not in ("admin", "instructor"):
        raise NotAllowed("Only instructors and admins run attendance.")
    query = select(Offering).options(selectinload(Offering.sessions), selectinload(Offering.course))
    if user.role != "admin":
        assigned = select(OfferingInstructor.offering_id).where(
            OfferingInstructor.user_id == user_id
        )
        query = query.where(Offering.id.in_(assigned))
    return [offering_view(o) for o in session.scalars(query.order_by(Offering.id))]


def _row(user: User, enrollment: Enrollment, summary) -> RosterRow:  # type: ignore[no-untyped-def]
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
        credited_minutes=summary.credited_minutes,
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
    rows = tuple(_row(u, e, summaries[e.id]) for e, u in session.execute(query))
    return OfferingRoster(offering_view(offering), rows)


@dataclass(frozen=True)
class LivePerson:
    """One person on the live roster."""

    name: str
    enrollment_status: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None


@dataclass(frozen=True)
class LiveRoster:
    """A session's roster while it runs."""

    live_session_id: int
    title: str
    people: tuple[LivePerson, ...]
    checked_in: int
    checked_out: int
    missing: tuple[str, ...]


def live_roster(session: Session, user_id: int, live_session_id: int) -> LiveRoster:
    """Who checked in, who checked out and who is missing at one session (staff only)."""
    live = live_session_for_staff(session, user_id, live_session_id)
    query = (
        select(User.full_name, Enrollment.status, Attendance)
        .select_from(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .outerjoin(
            Attendance,
            (Attendance.enrollment_id == Enrollment.id) & (Attendance.live_session_id == live.id),
        )
        .where(Enrollment.offering_id == live.offering_id)
        .order_by(User.full_name)
    )
    people = tuple(
        LivePerson(name, status, a.checked_in_at if a else None, a.checked_out_at if a else None)
        for name, status, a in session.execute(query)
    )
    active = [p for p in people if p.enrollment_status == "active"]
    return LiveRoster(
        live.id,
        live.title,
        people,
        checked_in=sum(1 for p in active if p.checked_in_at),
        checked_out=sum(1 for p in active if p.checked_out_at),
        missing=tuple(p.name for p in active if p.checked_in_at is None),
    )


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
