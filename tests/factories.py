"""Factories for people, offerings and enrollments."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.passwords import password_hash
from portal.models import (
    Course,
    Enrollment,
    License,
    LiveSession,
    Offering,
    OfferingInstructor,
    Payment,
    User,
    utc_now,
)

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


@lru_cache(maxsize=4)
def _hash(password: str) -> str:
    return password_hash(password)


def user_make(
    session: Session,
    *,
    role: str = "participant",
    username: str | None = None,
    full_name: str = "Pat Participant",
    profession: str = "lmft",
    license_number: str | None = "LMFT 100001",
    state: str | None = "CA",
    password: str = PASSWORD,
) -> User:
    """A person with one license (profession 'other' gets no number or state)."""
    n = next(_numbers)
    username = username or f"{role}{n}"
    licensed = profession != "other"
    user = User(
        username=username,
        email=f"{username}@example.org",
        full_name=full_name,
        password_hash=_hash(password),
        role=role,
        licenses=[
            License(
                profession=profession,
                number=license_number if licensed else None,
                state=state if licensed else None,
            )
        ],
        sessions_valid_after=utc_now() - timedelta(minutes=1),
    )
    session.add(user)
    session.flush()
    return user


def course_row(session: Session, slug: str = "fostering-compassion-in-couples") -> Course:
    """The course's row, created when missing."""
    row = session.scalar(select(Course).where(Course.slug == slug))
    if row is None:
        row = Course(slug=slug, title="Fostering Compassion in Couples")
        session.add(row)
        session.flush()
    return row


def offering_make(
    session: Session,
    *,
    sessions: Sequence[tuple[datetime, datetime]] | None = None,
    time_zone: str = "America/Los_Angeles",
    instructional_minutes: int = 180,
    instructors: Sequence[User] = (),
    **fields: object,
) -> Offering:
    """An offering of the workshop; by default two 3-hour sessions, the first live now."""
    if sessions is None:
        start = utc_now() - timedelta(minutes=30)
        sessions = [
            (start, start + timedelta(hours=3)),
            (start + timedelta(weeks=1), start + timedelta(weeks=1, hours=3)),
        ]
    n = next(_numbers)
    values: dict[str, object] = {
        "slug": f"offering-{n}",
        "label": f"Offering {n}",
        "fee_cents": 22500,
        "early_fee_cents": 20500,
        "deposit_cents": 3000,
    }
    values.update(fields)
    offering = Offering(course=course_row(session), time_zone=time_zone, **values)
    offering.sessions = [
        LiveSession(
            position=i,
            title=f"Session {i}",
            starts_at=s,
            ends_at=e,
            instructional_minutes=instructional_minutes,
        )
        for i, (s, e) in enumerate(sessions, start=1)
    ]
    session.add(offering)
    session.flush()
    for instructor in instructors:
        session.add(OfferingInstructor(offering_id=offering.id, user_id=instructor.id))
    session.flush()
    return offering


def enrollment_make(
    session: Session, user: User, offering: Offering, *, status: str = "active"
) -> Enrollment:
    """The person enrolled in the offering."""
    enrollment = Enrollment(
        user_id=user.id, offering_id=offering.id, status=status, fee_cents=offering.fee_cents
    )
    session.add(enrollment)
    session.flush()
    return enrollment


def fee_paid(session: Session, enrollment: Enrollment) -> Payment:
    """The enrollment's whole fee, recorded as received."""
    payment = Payment(
        enrollment_id=enrollment.id,
        amount_cents=enrollment.fee_cents,
        paid_on=utc_now().date(),
        reference=f"paid-{enrollment.id}",
    )
    session.add(payment)
    session.flush()
    return payment
