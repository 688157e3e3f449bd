"""Enrollment services: a person joins an offering."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.errors import NotFound, PortalError
from portal.models import Enrollment, Offering, utc_now
from portal.timefmt import local_date


def enrollment_fee_cents(offering: Offering, at: datetime) -> int:
    """The fee for enrolling at an instant: early-bird on or before its date, in the offering's zone."""
    day = local_date(at, offering.time_zone)
    if offering.early_deadline is not None and day <= offering.early_deadline:
        return offering.early_fee_cents
    return offering.fee_cents


def enrollment_create(
    *, session: Session, user_id: int, offering_id: int, now: datetime | None = None
) -> Enrollment:
    """Enroll a person in an open offering; enrolling twice returns the first enrollment."""
    now = now or utc_now()
    offering = session.get(Offering, offering_id)
    if offering is None:
        raise NotFound("No such offering.")
    query = select(Enrollment).where(
        Enrollment.user_id == user_id, Enrollment.offering_id == offering_id
    )
    if existing := session.scalar(query):
        return existing
    if offering.status != "open":
        raise PortalError("This offering is not open for enrollment.")
    enrollment = Enrollment(
        user_id=user_id,
        offering_id=offering_id,
        fee_cents=enrollment_fee_cents(offering, now),
        enrolled_at=now,
    )
    try:
        with session.begin_nested():
            session.add(enrollment)
    except IntegrityError:
        # A double click raced us; the database kept one enrollment.
        return session.scalars(query).one()
    return enrollment
