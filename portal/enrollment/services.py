"""Enrollment services: a person joins an offering under its fee, capacity and closing rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal.authz import admin_check
from portal.errors import NotFound, PortalError
from portal.mail.outbox import mail_enrollment
from portal.models import Enrollment, Offering, utc_now
from portal.money import money_format
from portal.records.audit import audit_record
from portal.timefmt import local_date


def enrollment_fee_cents(offering: Offering, at: datetime) -> int:
    """The fee for enrolling at an instant: early-bird on or before its date, in the offering's zone."""
    day = local_date(at, offering.time_zone)
    if offering.early_deadline is not None and day <= offering.early_deadline:
        return offering.early_fee_cents
    return offering.fee_cents


def active_count(session: Session, offering_id: int) -> int:
    """How many active enrollments the offering has (its seats taken)."""
    query = select(func.count()).where(
        Enrollment.offering_id == offering_id, Enrollment.status == "active"
    )
    return session.scalar(query) or 0


def enrollment_refusal(offering: Offering, now: datetime, taken: int) -> str | None:
    """Why a participant cannot enroll now (status, closing date in the offering's zone,
    capacity), or None."""
    if offering.status == "cancelled":
        return "This offering has been cancelled."
    if offering.status != "open":
        return "This offering is not open for enrollment."
    closes = offering.enrollment_closes
    if closes is not None and local_date(now, offering.time_zone) > closes:
        return f"Enrollment closed on {closes:%B} {closes.day}, {closes.year}."
    if offering.capacity is not None and taken >= offering.capacity:
        return "This offering is full."
    return None


def enrollment_is_open(offering: Offering, now: datetime) -> bool:
    """Whether the offering takes enrollments today: open, before its closing date (in its
    zone) or, without one, before its last session ends."""
    if offering.status != "open":
        return False
    if offering.enrollment_closes is not None:
        return local_date(now, offering.time_zone) <= offering.enrollment_closes
    return not offering.sessions or now < offering.sessions[-1].ends_at


def _existing(session: Session, user_id: int, offering_id: int) -> Enrollment | None:
    return session.scalar(
        select(Enrollment).where(
            Enrollment.user_id == user_id, Enrollment.offering_id == offering_id
        )
    )


def _insert(session: Session, enrollment: Enrollment) -> Enrollment | None:
    """Insert, or None when a concurrent request already enrolled the person."""
    try:
        with session.begin_nested():
            session.add(enrollment)
    except IntegrityError:
        return None
    return enrollment


def enrollment_create(
    *,
    session: Session,
    user_id: int,
    offering_id: int,
    now: datetime | None = None,
    actor_id: int | None = None,
    by_admin: bool = False,
) -> Enrollment:
    """Enroll a person in an open offering; enrolling twice returns the first enrollment.

    Admins (roster import) may enroll past the closing date and capacity, never into a
    cancelled offering. The registration confirmation is queued in the same transaction.
    """
    if by_admin:
        admin_check(session, actor_id)
    now = now or utc_now()
    # Lock the offering row so concurrent enrollments count seats one after another.
    offering = session.get(Offering, offering_id, with_for_update=True)
    if offering is None:
        raise NotFound("No such offering.")
    if existing := _existing(session, user_id, offering_id):
        if existing.status == "cancelled":
            raise PortalError("This enrollment was cancelled; contact the CE office.")
        return existing
    refusal = enrollment_refusal(offering, now, active_count(session, offering_id))
    if refusal and not (by_admin and offering.status != "cancelled"):
        raise PortalError(refusal)
    fee = enrollment_fee_cents(offering, now)
    enrollment = Enrollment(
        user_id=user_id, offering_id=offering_id, fee_cents=fee, enrolled_at=now
    )
    if _insert(session, enrollment) is None:
        return session.scalars(
            select(Enrollment).where(
                Enrollment.user_id == user_id, Enrollment.offering_id == offering_id
            )
        ).one()
    _enrollment_recorded(session, enrollment, offering, actor_id if by_admin else user_id)
    return enrollment


def _enrollment_recorded(
    session: Session, enrollment: Enrollment, offering: Offering, actor_id: int | None
) -> None:
    audit_record(
        session=session,
        actor_id=actor_id,
        action="enrollment.create",
        subject_type="enrollment",
        subject_id=enrollment.id,
        details={"offering_id": offering.id, "fee_cents": enrollment.fee_cents},
    )
    mail_enrollment(
        session=session,
        user_id=enrollment.user_id,
        course_title=offering.course.title,
        offering_label=offering.label,
        fee=money_format(enrollment.fee_cents),
    )


def enrollment_is_active(session: Session, enrollment_id: int, user_id: int | None = None) -> bool:
    """Whether an enrollment exists, is not cancelled and (if given) belongs to the person.

    Check-in, evaluation and certificates call this: cancelled enrollments lose access.
    """
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or (user_id is not None and enrollment.user_id != user_id):
        return False
    return enrollment.status == "active"


@dataclass(frozen=True)
class OpenOffering:
    """An offering as the enroll page shows it, with the fee that applies today."""

    id: int
    course_title: str
    label: str
    time_zone: str
    sessions: tuple[tuple[datetime, datetime], ...]
    fee_today_cents: int
    fee_cents: int
    early_fee_cents: int
    early_deadline: date | None
    cancellation_deadline: date | None
    deposit_cents: int
    enrollment_closes: date | None
    seats_left: int | None
    refusal: str | None
    my_status: str | None


def offerings_for_enrollment(
    session: Session, user_id: int, now: datetime | None = None
) -> list[OpenOffering]:
    """Offerings open for enrollment today (a full one too, saying so), with today's fee and
    whether this person may enroll."""
    now = now or utc_now()
    offerings = [
        o
        for o in session.scalars(
            select(Offering)
            .where(Offering.status == "open")
            .options(selectinload(Offering.sessions), selectinload(Offering.course))
            .order_by(Offering.id)
        )
        if enrollment_is_open(o, now)
    ]
    query = select(Enrollment.offering_id, Enrollment.status).where(Enrollment.user_id == user_id)
    mine = {offering_id: status for offering_id, status in session.execute(query)}
    return [_open_offering(session, o, now, mine.get(o.id)) for o in offerings]


def _open_offering(
    session: Session, offering: Offering, now: datetime, my_status: str | None
) -> OpenOffering:
    taken = active_count(session, offering.id)
    seats = None if offering.capacity is None else max(offering.capacity - taken, 0)
    return OpenOffering(
        id=offering.id,
        course_title=offering.course.title,
        label=offering.label,
        time_zone=offering.time_zone,
        sessions=tuple((s.starts_at, s.ends_at) for s in offering.sessions),
        fee_today_cents=enrollment_fee_cents(offering, now),
        fee_cents=offering.fee_cents,
        early_fee_cents=offering.early_fee_cents,
        early_deadline=offering.early_deadline,
        cancellation_deadline=offering.cancellation_deadline,
        deposit_cents=offering.deposit_cents,
        enrollment_closes=offering.enrollment_closes,
        seats_left=seats,
        refusal=enrollment_refusal(offering, now, taken),
        my_status=my_status,
    )
