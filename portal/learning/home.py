"""Read models for the home pages: plain data, scoped to the person asking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.learning.checklist import checklist_for
from portal.learning.checklist_item import ChecklistItem
from portal.models import Enrollment, LiveSession, Offering, OfferingInstructor, User


@dataclass(frozen=True)
class SessionView:
    """A live session as shown on a page."""

    id: int
    position: int
    title: str
    starts_at: datetime
    ends_at: datetime
    instructional_minutes: int


@dataclass(frozen=True)
class OfferingView:
    """An offering with its sessions."""

    id: int
    slug: str
    label: str
    course_slug: str
    course_title: str
    time_zone: str
    status: str
    is_demo: bool
    sessions: tuple[SessionView, ...]
    enrolled: int = 0


@dataclass(frozen=True)
class EnrollmentView:
    """A participant's enrollment with its progress checklist."""

    id: int
    status: str
    fee_cents: int
    offering: OfferingView
    checklist: tuple[ChecklistItem, ...]


def session_view(live: LiveSession) -> SessionView:
    """Plain data for one live session."""
    return SessionView(
        live.id, live.position, live.title, live.starts_at, live.ends_at, live.instructional_minutes
    )


def offering_view(offering: Offering, enrolled: int = 0) -> OfferingView:
    """Plain data for an offering and its sessions."""
    return OfferingView(
        id=offering.id,
        slug=offering.slug,
        label=offering.label,
        course_slug=offering.course.slug,
        course_title=offering.course.title,
        time_zone=offering.time_zone,
        status=offering.status,
        is_demo=offering.is_demo,
        sessions=tuple(session_view(s) for s in offering.sessions),
        enrolled=enrolled,
    )


def _offerings_query():  # type: ignore[no-untyped-def]
    return select(Offering).options(selectinload(Offering.sessions), selectinload(Offering.course))


def participant_enrollments(session: Session, user_id: int) -> list[EnrollmentView]:
    """The person's own enrollments, newest offering first, each with its checklist."""
    rows = session.scalars(
        select(Enrollment).where(Enrollment.user_id == user_id).order_by(Enrollment.id.desc())
    ).all()
    offerings = {
        o.id: o
        for o in session.scalars(
            _offerings_query().where(Offering.id.in_([r.offering_id for r in rows]))
        )
    }
    return [
        EnrollmentView(
            r.id,
            r.status,
            r.fee_cents,
            offering_view(offerings[r.offering_id]),
            checklist_for(session, r.id),
        )
        for r in rows
    ]


def _enrolled_counts(session: Session) -> dict[int, int]:
    query = (
        select(Enrollment.offering_id, func.count())
        .where(Enrollment.status == "active")
        .group_by(Enrollment.offering_id)
    )
    return {offering_id: count for offering_id, count in session.execute(query)}


def offerings_all(session: Session) -> list[OfferingView]:
    """Every offering with its active enrollment count (admin)."""
    counts = _enrolled_counts(session)
    offerings = session.scalars(_offerings_query().order_by(Offering.id)).all()
    return [offering_view(o, counts.get(o.id, 0)) for o in offerings]


def offerings_taught_by(session: Session, user_id: int) -> list[OfferingView]:
    """The offerings an instructor is assigned to."""
    counts = _enrolled_counts(session)
    assigned = select(OfferingInstructor.offering_id).where(OfferingInstructor.user_id == user_id)
    query = _offerings_query().where(Offering.id.in_(assigned)).order_by(Offering.id)
    return [offering_view(o, counts.get(o.id, 0)) for o in session.scalars(query)]


def people_counts(session: Session) -> dict[str, int]:
    """How many active accounts hold each role."""
    query = select(User.role, func.count()).where(User.is_active).group_by(User.role)
    return {role: count for role, count in session.execute(query)}
