"""Demo data: three accounts, an offering live from the moment of seeding, and a finished
offering the demo participant attended in full, so the whole path to a certificate shows."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.demo_accounts import DEMO_ACCOUNTS
from portal.accounts.services import user_create
from portal.courses import content
from portal.courses.catalog import content_sync, course_sync, demo_session_times
from portal.enrollment.payments import enrollment_account, payment_record
from portal.enrollment.services import enrollment_create
from portal.models import (
    Attendance,
    License,
    LiveSession,
    Offering,
    OfferingInstructor,
    User,
)
from portal.money import money_format
from portal.timefmt import local_date

DEMO_COURSE = "fostering-compassion-in-couples"
DEMO_OFFERING = "demo"
DEMO_FINISHED = "demo-finished"
DEMO_ZONE = "America/Los_Angeles"
# The live session is kept when seeding again this close to it (the app seeds once more at
# its first page view, seconds after `make run` seeded).
KEEP_LIVE_WITHIN = timedelta(hours=1)


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


def _offering_row(session: Session, course: content.Course, slug: str, label: str) -> Offering:
    course_row = course_sync(session=session, course=course)
    query = select(Offering).where(Offering.course_id == course_row.id, Offering.slug == slug)
    offering = session.scalar(query)
    if offering is None:
        offering = Offering(
            course=course_row,
            slug=slug,
            label=label,
            time_zone=DEMO_ZONE,
            fee_cents=22500,
            early_fee_cents=20500,
            deposit_cents=3000,
            is_demo=True,
        )
        session.add(offering)
    return offering


def _demo_offering(session: Session, course: content.Course, now: datetime) -> Offering:
    offering = _offering_row(session, course, DEMO_OFFERING, "Demo offering")
    today = local_date(now, offering.time_zone)
    offering.early_deadline = today + timedelta(days=30)
    offering.cancellation_deadline = today + timedelta(days=3)
    offering.enrollment_closes = today + timedelta(days=6)
    first = offering.sessions[0] if offering.sessions else None
    if first is None or not first.starts_at - KEEP_LIVE_WITHIN <= now < first.ends_at:
        _sessions_set(offering, demo_session_times(now, 2))
        offering.ended_at = None  # the demo offering runs again
    session.flush()
    return offering


def _sessions_set(offering: Offering, times: list[tuple[datetime, datetime]]) -> None:
    for position, (start, end) in enumerate(times, start=1):
        live = next((s for s in offering.sessions if s.position == position), None)
        if live is None:
            live = LiveSession(
                position=position, title=f"Session {position}", instructional_minutes=180
            )
            offering.sessions.append(live)
        live.starts_at, live.ends_at = start, end


def _finished_offering(session: Session, course: content.Course, now: datetime) -> Offering:
    """Two sessions two weeks and one week ago; the evaluation is open until a month on."""
    offering = _offering_row(session, course, DEMO_FINISHED, "Finished demo offering")
    offering.status = "closed"
    if not offering.sessions:
        _sessions_set(offering, demo_session_times(now - timedelta(weeks=2), 2))
    last_day = local_date(offering.sessions[-1].ends_at, offering.time_zone)
    offering.enrollment_closes = last_day - timedelta(days=8)
    offering.evaluation_deadline = max(last_day, local_date(now, offering.time_zone)) + timedelta(
        days=30
    )
    session.flush()
    return offering


def _attended_in_full(
    session: Session, enrollment_id: int, offering: Offering, instructor: User
) -> None:
    """Attendance the instructor marked for every session, from start to end."""
    for live in offering.sessions:
        pair = (Attendance.enrollment_id == enrollment_id, Attendance.live_session_id == live.id)
        if session.scalar(select(Attendance.id).where(*pair)) is None:
            session.add(
                Attendance(
                    enrollment_id=enrollment_id, live_session_id=live.id,
                    checked_in_at=live.starts_at, checked_out_at=live.ends_at,
                    source="manual", recorded_by_id=instructor.id,
                    reason="Demo data: attended in full", updated_at=live.ends_at,
                )
            )  # fmt: skip
    session.flush()


def demo_seed(*, session: Session, courses: dict[str, content.Course], now: datetime) -> None:
    """Create or refresh the demo accounts, the live and the finished demo offerings and the
    participant's enrollments (full attendance in the finished one)."""
    content_sync(session=session, courses=courses)
    users = {u: _demo_account(session, u, role, name) for u, role, name in DEMO_ACCOUNTS}
    participant, instructor = users["demo-participant"], users["demo-instructor"]
    if not any(lic.number for lic in participant.licenses):
        participant.licenses = [License(profession="lmft", number="LMFT 123456", state="CA")]
    finished = _finished_offering(session, courses[DEMO_COURSE], now)
    offering = _demo_offering(session, courses[DEMO_COURSE], now)
    for row in session.scalars(select(Offering)):
        if session.get(OfferingInstructor, (row.id, instructor.id)) is None:
            session.add(OfferingInstructor(offering_id=row.id, user_id=instructor.id))
    enrolled_at = finished.sessions[0].starts_at - timedelta(days=10)
    past = enrollment_create(
        session=session, user_id=participant.id, offering_id=finished.id, now=enrolled_at,
        actor_id=users["demo-admin"].id, by_admin=True,
    )  # fmt: skip
    _attended_in_full(session, past.id, finished, instructor)
    if enrollment_account(session, past.id).owed_cents:
        payment_record(
            session=session, actor_id=users["demo-admin"].id, enrollment_id=past.id,
            amount=money_format(past.fee_cents), paid_on=local_date(enrolled_at, DEMO_ZONE),
            reference="Demo data: paid by card",
        )  # fmt: skip
    enrollment_create(session=session, user_id=participant.id, offering_id=offering.id, now=now)
