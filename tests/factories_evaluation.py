"""Factories for evaluations: an offering that has ended, complete answers, submissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from portal.evaluation.services import evaluation_submit
from portal.models import Enrollment, Offering, User
from tests.factories import enrollment_make, fee_paid, offering_make, user_make
from tests.factories_attendance import attendance_full

START = datetime(2023, 5, 18, 16, 0, tzinfo=UTC)
ENDED = [
    (START, START + timedelta(hours=3)),
    (START + timedelta(weeks=1), START + timedelta(weeks=1, hours=3)),
]
AFTER = START + timedelta(weeks=1, hours=4)  # an hour after the last session ended


def answers_complete(**overrides: Any) -> dict[str, Any]:
    """Answers to every required question of the workshop's evaluation."""
    answers: dict[str, Any] = {f"objective-{i}": 4 for i in range(1, 6)}
    answers |= {
        "relevance": 5,
        "instructor-expertise": 5,
        "teaching-methods": 4,
        "online-delivery": 3,
        "instructional-level": "About right",
        "fair-balanced": "yes",
        "accessibility": "Yes",
        "overall": 5,
        "practice-change": ["Teach the gratitude and appreciation practice"],
        "practice-change-detail": "Teach the gratitude practice to couples.",
    }
    return answers | overrides


def ended_offering(session: Session, **fields: Any) -> Offering:
    """An offering of two sessions in May 2023, both over."""
    return offering_make(session, sessions=ENDED, **fields)


def attendee_make(session: Session, offering: Offering, **user_fields: Any) -> Enrollment:
    """A participant who paid and attended every session in full."""
    enrollment = enrollment_make(session, user_make(session, **user_fields), offering)
    fee_paid(session, enrollment)
    attendance_full(session, enrollment, offering)
    return enrollment


def submitted_make(session: Session, offering: Offering, **overrides: Any) -> Enrollment:
    """An attendee who submitted the evaluation with these answers."""
    profession = overrides.pop("profession", "lmft")
    state = overrides.pop("state", "CA")
    now = overrides.pop("now", AFTER)
    enrollment = attendee_make(session, offering, profession=profession, state=state)
    evaluation_submit(
        session=session,
        user_id=enrollment.user_id,
        enrollment_id=enrollment.id,
        answers=answers_complete(**overrides),
        now=now,
    )
    session.flush()
    return enrollment


def user_of(session: Session, enrollment: Enrollment) -> User:
    """The enrolled person."""
    user = session.get(User, enrollment.user_id)
    assert user is not None
    return user
