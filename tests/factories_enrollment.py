"""Factories for this capability: the workshop's real offering, payments, instants in PT."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy.orm import Session

from portal.courses import content
from portal.courses.catalog import course_sync, offering_from_plan
from portal.models import Offering
from portal.timefmt import local_instant

PACIFIC = "America/Los_Angeles"


def workshop_offering(session: Session, course: content.Course) -> Offering:
    """The May 2023 offering exactly as the course file describes it."""
    row = course_sync(session=session, course=course)
    offering = offering_from_plan(session=session, course=row, plan=course.offerings[0])
    session.flush()
    return offering


def pacific(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A wall-clock time in Pacific time, as a UTC instant."""
    return local_instant(day, time(hour, minute, second), PACIFIC)
