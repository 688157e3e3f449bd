"""Read models for the home pages: plain data, scoped to the person asking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.attendance.mine import LEAD
from portal.certificates.eligibility import AttendanceRule, attendance_rules
from portal.courses.content import PaymentInfo
from portal.errors import NotFound
from portal.learning.checklist import checklist_of, enrollment_facts
from portal.learning.checklist_item import ChecklistItem
from portal.learning.facts import EnrollmentFacts
from portal.models import Enrollment, LiveSession, Offering, OfferingInstructor, User, utc_now
from portal.settings import settings_load


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
    owed_cents: int = 0
    payment: PaymentInfo | None = None  # how to pay, shown while something is owed


@dataclass(frozen=True)
class LiveNowView:
    """A session of an active enrollment that is live now, with the person's check-in."""

    title: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None


@dataclass(frozen=True)
class HomeView:
    """Everything the participant's Home shows, read in one session."""

    enrollments: tuple[EnrollmentView, ...]
    live_now: tuple[LiveNowView, ...]
    attendance_rules: tuple[AttendanceRule, ...]


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


def participant_home(
    session: Session, user_id: int, *, now: datetime, content_dir: Path, storage_dir: Path
) -> HomeView:
    """The person's enrollments (newest offering first) with their checklists, the sessions
    live now and the attendance rules, in a fixed number of queries."""
    # Joined rather than select-in loads: one round trip each for the person and the offerings.
    user = (
        session.scalars(select(User).where(User.id == user_id).options(joinedload(User.licenses)))
        .unique()
        .one_or_none()
    )
    if user is None:
        raise NotFound("No such person.")
    query = (
        select(Enrollment, Offering)
        .join(Offering, Offering.id == Enrollment.offering_id)
        .where(Enrollment.user_id == user_id)
        .order_by(Enrollment.id.desc())
        .options(joinedload(Offering.sessions), joinedload(Offering.course))
    )
    pairs = list(session.execute(query).unique().all())
    facts = enrollment_facts(
        session, user, pairs, now=now, content_dir=content_dir, storage_dir=storage_dir
    )
    return HomeView(
        tuple(_enrollment_view(f) for f in facts),
        tuple(_live_now(facts, now)),
        tuple(_rules(facts, now)),
    )


def participant_enrollments(session: Session, user_id: int) -> list[EnrollmentView]:
    """The person's own enrollments, newest offering first, each with its checklist."""
    settings = settings_load()
    home = participant_home(
        session,
        user_id,
        now=utc_now(),
        content_dir=settings.content_dir,
        storage_dir=settings.storage_dir,
    )
    return list(home.enrollments)


def _enrollment_view(facts: EnrollmentFacts) -> EnrollmentView:
    e, offering, owed = facts.enrollment, facts.offering, facts.account.owed_cents
    return EnrollmentView(
        e.id,
        e.status,
        e.fee_cents,
        offering_view(offering),
        checklist_of(facts),
        owed_cents=owed,
        payment=facts.course.payment_for(offering.slug) if owed else None,
    )


def _live_now(facts: list[EnrollmentFacts], now: datetime) -> list[LiveNowView]:
    """Sessions of active enrollments live now, as Check in finds them."""
    return [
        LiveNowView(s.title, s.checked_in_at, s.checked_out_at)
        for f in facts
        if f.enrollment.status == "active"
        for s in f.summary.sessions
        if s.starts_at - LEAD <= now <= s.ends_at + LEAD
    ]


def _rules(facts: list[EnrollmentFacts], now: datetime) -> list[AttendanceRule]:
    """The attendance rules, from the facts already read (licenses are the person's own)."""
    licenses = list(facts[0].licenses) if facts else []
    return attendance_rules(((f.enrollment, f.offering, f.course) for f in facts), licenses, now)


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
