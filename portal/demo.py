"""Demo data: three accounts and an offering whose first session is live today."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.demo_accounts import DEMO_ACCOUNTS
from portal.accounts.services import user_create
from portal.courses import content
from portal.courses.catalog import content_sync, course_sync, demo_session_times
from portal.enrollment.services import enrollment_create
from portal.models import License, LiveSession, Offering, OfferingInstructor, User
from portal.timefmt import local_date

DEMO_COURSE = "fostering-compassion-in-couples"
DEMO_OFFERING = "demo"


def _demo_account(session: Session, username: str, role: str, full_name: str) -> User:
    if user := session.scalar(select(User).where(User.username == username)):
        return user
    return user_create(
        session=session,
        username=username,
        email=f"{username}@example.org",
        full_name=full_name,
        password=username,
        role=role,
    )


def _demo_offering(session: Session, course: content.Course, now: datetime) -> Offering:
    course_row = course_sync(session=session, course=course)
    query = select(Offering).where(
        Offering.course_id == course_row.id, Offering.slug == DEMO_OFFERING
    )
    offering = session.scalar(query)
    if offering is None:
        offering = Offering(
            course=course_row,
            slug=DEMO_OFFERING,
            label="Demo offering",
            time_zone="America/Los_Angeles",
            fee_cents=22500,
            early_fee_cents=20500,
            deposit_cents=3000,
            is_demo=True,
        )
        session.add(offering)
    today = local_date(now, offering.time_zone)
    offering.early_deadline = today + timedelta(days=30)
    offering.cancellation_deadline = today + timedelta(days=3)
    offering.enrollment_closes = today + timedelta(days=6)
    _demo_sessions(session, offering, now)
    return offering


def _demo_sessions(session: Session, offering: Offering, now: datetime) -> None:
    first = offering.sessions[0] if offering.sessions else None
    if first and local_date(first.starts_at, offering.time_zone) == local_date(
        now, offering.time_zone
    ):
        return
    for position, (start, end) in enumerate(demo_session_times(now, 2), start=1):
        live = next((s for s in offering.sessions if s.position == position), None)
        if live is None:
            live = LiveSession(
                position=position, title=f"Session {position}", instructional_minutes=180
            )
            offering.sessions.append(live)
        live.starts_at, live.ends_at = start, end
    offering.ended_at = None  # the demo offering runs again
    session.flush()


def demo_seed(*, session: Session, courses: dict[str, content.Course], now: datetime) -> None:
    """Create or refresh the demo accounts, the demo offering and the participant's enrollment."""
    content_sync(session=session, courses=courses)
    users = {u: _demo_account(session, u, role, name) for u, role, name in DEMO_ACCOUNTS}
    participant = users["demo-participant"]
    if not any(lic.number for lic in participant.licenses):
        participant.licenses = [License(profession="lmft", number="LMFT 123456", state="CA")]
    offering = _demo_offering(session, courses[DEMO_COURSE], now)
    session.flush()
    for row in session.scalars(select(Offering)):
        instructor = OfferingInstructor(offering_id=row.id, user_id=users["demo-instructor"].id)
        if session.get(OfferingInstructor, (row.id, instructor.user_id)) is None:
            session.add(instructor)
    enrollment_create(session=session, user_id=participant.id, offering_id=offering.id, now=now)
