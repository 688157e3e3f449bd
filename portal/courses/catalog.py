"""Courses and offerings in the database, kept in step with content/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.courses import content
from portal.models import Course, LiveSession, Offering
from portal.timefmt import local_instant


def cents(amount: Decimal) -> int:
    """Exact integer cents for a decimal amount of dollars."""
    return int((amount * 100).to_integral_exact())


def course_sync(*, session: Session, course: content.Course) -> Course:
    """The course's row, created on first sight and retitled when the file changes."""
    row = session.scalar(select(Course).where(Course.slug == course.id))
    if row is None:
        row = Course(slug=course.id, title=course.title)
        session.add(row)
        session.flush()
    row.title = course.title
    return row


def _sessions_from_plan(plan: content.OfferingPlan) -> list[LiveSession]:
    return [
        LiveSession(
            position=position,
            title=s.title,
            starts_at=local_instant(s.date, s.start, plan.time_zone),
            ends_at=local_instant(s.date, s.end, plan.time_zone),
            instructional_minutes=s.instructional_minutes,
        )
        for position, s in enumerate(plan.sessions, start=1)
    ]


def offering_from_plan(*, session: Session, course: Course, plan: content.OfferingPlan) -> Offering:
    """The offering the course file describes; created once, later edits are the admins'."""
    query = select(Offering).where(Offering.course_id == course.id, Offering.slug == plan.id)
    if existing := session.scalar(query):
        return existing
    offering = Offering(
        course=course,
        slug=plan.id,
        label=plan.label,
        time_zone=plan.time_zone,
        fee_cents=cents(plan.fee),
        early_fee_cents=cents(plan.early_fee),
        early_deadline=plan.early_deadline,
        cancellation_deadline=plan.cancellation_deadline,
        deposit_cents=cents(plan.deposit),
        enrollment_closes=plan.enrollment_closes,
        evaluation_deadline=plan.evaluation_deadline,
        capacity=plan.capacity,
        late_tolerance_minutes=plan.late_tolerance_minutes,
        early_leave_tolerance_minutes=plan.early_leave_tolerance_minutes,
        sessions=_sessions_from_plan(plan),
    )
    session.add(offering)
    session.flush()
    return offering


def content_sync(*, session: Session, courses: dict[str, content.Course]) -> None:
    """Every course in content/ and the offerings its file lists exist in the database."""
    for course in courses.values():
        row = course_sync(session=session, course=course)
        for plan in course.offerings:
            offering_from_plan(session=session, course=row, plan=plan)


def demo_session_times(now: datetime, count: int) -> list[tuple[datetime, datetime]]:
    """Three-hour sessions a week apart, the first starting at this minute (so a check-in
    right away is on time)."""
    start = now.astimezone(UTC).replace(second=0, microsecond=0)
    return [(start + timedelta(weeks=i), start + timedelta(weeks=i, hours=3)) for i in range(count)]
