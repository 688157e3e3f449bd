"""Admin tools for offerings: create and edit dates, time zone, sessions, fees, deadlines,
capacity and instructors. Cancelling an offering is portal.enrollment.cancellations.offering_cancel."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.errors import FieldErrors, NotFound
from portal.models import Course, LiveSession, Offering, OfferingInstructor, User
from portal.money import money_parse
from portal.records.audit import audit_record
from portal.timefmt import local_instant, zone

SLUG = re.compile(r"^[a-z0-9-]{1,100}$")
DATE_FIELDS = (
    "early_deadline",
    "cancellation_deadline",
    "enrollment_closes",
    "evaluation_deadline",
    "access_until",
)


@dataclass(frozen=True)
class SessionInput:
    """One live session as typed: local date and clock times in the offering's zone."""

    title: str
    day: date | None
    start: time | None
    end: time | None
    instructional_minutes: int


@dataclass(frozen=True)
class OfferingForm:
    """Everything the offering form edits; money as typed dollars."""

    course_id: int
    slug: str
    label: str
    time_zone: str
    status: str = "open"
    fee: str = "0"
    early_fee: str = "0"
    deposit: str = "0"
    capacity: int | None = None
    early_deadline: date | None = None
    cancellation_deadline: date | None = None
    enrollment_closes: date | None = None
    evaluation_deadline: date | None = None
    access_until: date | None = None
    sessions: tuple[SessionInput, ...] = ()
    instructor_ids: tuple[int, ...] = field(default_factory=tuple)


def _money_errors(form: OfferingForm) -> tuple[dict[str, str], dict[str, int]]:
    errors, cents = {}, {}
    for name in ("fee", "early_fee", "deposit"):
        value = money_parse(getattr(form, name))
        if value is None or value < 0:
            errors[name] = "Enter an amount in dollars, like 225.00."
        else:
            cents[name] = value
    if not errors and cents["early_fee"] > cents["fee"]:
        errors["early_fee"] = "The early-bird fee cannot exceed the regular fee."
    if not errors and cents["deposit"] > cents["early_fee"]:
        errors["deposit"] = "The deposit cannot exceed the fee."
    return errors, cents


def _session_errors(sessions: tuple[SessionInput, ...]) -> dict[str, str]:
    if not sessions:
        return {"sessions": "Add at least one session."}
    for n, s in enumerate(sessions, 1):
        if s.day is None or s.start is None or s.end is None:
            return {"sessions": f"Session {n}: enter the date, start and end."}
        if s.start >= s.end:
            return {"sessions": f"Session {n}: the start must be before the end."}
        length = (s.end.hour * 60 + s.end.minute) - (s.start.hour * 60 + s.start.minute)
        if not 0 < s.instructional_minutes <= length:
            return {"sessions": f"Session {n}: instructional minutes must be 1–{length}."}
    return {}


def offering_form_problems(form: OfferingForm) -> tuple[dict[str, str], dict[str, int]]:
    """Field errors of the form, and the fees in cents when they are valid."""
    errors, cents = _money_errors(form)
    if not SLUG.match(form.slug.strip()):
        errors["slug"] = "Use lowercase letters, digits and dashes."
    if not form.label.strip():
        errors["label"] = "Enter a label, e.g. the dates."
    try:
        ZoneInfo(form.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = "Choose an IANA time zone such as America/Los_Angeles."
    if form.status not in ("open", "closed"):
        errors["status"] = "Choose open or closed (cancel with the cancel action)."
    if form.capacity is not None and form.capacity < 1:
        errors["capacity"] = "Capacity must be at least 1, or empty for no limit."
    errors.update(_session_errors(form.sessions))
    return errors, cents


def _apply_sessions(offering: Offering, form: OfferingForm) -> None:
    by_position = {s.position: s for s in offering.sessions}
    for position, s in enumerate(form.sessions, 1):
        live = by_position.pop(position, None) or LiveSession(position=position)
        assert s.day and s.start and s.end
        live.title = s.title.strip() or f"Session {position}"
        live.starts_at = local_instant(s.day, s.start, form.time_zone)
        live.ends_at = local_instant(s.day, s.end, form.time_zone)
        live.instructional_minutes = s.instructional_minutes
        if live not in offering.sessions:
            offering.sessions.append(live)
    for extra in by_position.values():
        offering.sessions.remove(extra)


def _apply_instructors(session: Session, offering: Offering, wanted: set[int]) -> dict[str, list]:
    current = set(
        session.scalars(
            select(OfferingInstructor.user_id).where(OfferingInstructor.offering_id == offering.id)
        )
    )
    valid = set(
        session.scalars(select(User.id).where(User.id.in_(wanted), User.role != "participant"))
    )
    if wanted - valid:
        raise FieldErrors({"instructors": "Only instructors and admins can be assigned."})
    for user_id in wanted - current:
        session.add(OfferingInstructor(offering_id=offering.id, user_id=user_id))
    for row in session.scalars(
        select(OfferingInstructor).where(
            OfferingInstructor.offering_id == offering.id,
            OfferingInstructor.user_id.in_(current - wanted),
        )
    ):
        session.delete(row)
    return {"added": sorted(wanted - current), "removed": sorted(current - wanted)}


def offering_save(
    *, session: Session, actor_id: int, offering_id: int | None, form: OfferingForm
) -> Offering:
    """Create (offering_id None) or edit an offering; audited with the instructor changes."""
    errors, cents = offering_form_problems(form)
    if errors:
        raise FieldErrors(errors)
    if session.get(Course, form.course_id) is None:
        raise FieldErrors({"course": "Choose a course."})
    offering = session.get(Offering, offering_id) if offering_id else Offering()
    if offering is None:
        raise NotFound("No such offering.")
    if offering.status == "cancelled":
        raise FieldErrors({"status": "A cancelled offering cannot be edited."})
    offering.course_id, offering.slug, offering.label = (
        form.course_id,
        form.slug.strip(),
        form.label.strip(),
    )
    offering.time_zone, offering.status, offering.capacity = (
        form.time_zone,
        form.status,
        form.capacity,
    )
    offering.fee_cents, offering.early_fee_cents = cents["fee"], cents["early_fee"]
    offering.deposit_cents = cents["deposit"]
    for name in DATE_FIELDS:
        setattr(offering, name, getattr(form, name))
    _apply_sessions(offering, form)
    try:
        with session.begin_nested():
            session.add(offering)
            session.flush()
    except IntegrityError:
        raise FieldErrors(
            {
                "slug": "This course already has an offering with this slug, or a "
                "removed session already has attendance."
            }
        ) from None
    changes = _apply_instructors(session, offering, set(form.instructor_ids))
    audit_record(
        session=session,
        actor_id=actor_id,
        action="offering.update" if offering_id else "offering.create",
        subject_type="offering",
        subject_id=offering.id,
        details={
            "offering_id": offering.id,
            "instructors": changes,
            "fee_cents": offering.fee_cents,
            "capacity": offering.capacity,
        },
    )
    return offering


@dataclass(frozen=True)
class Choice:
    """An id and its label, for select boxes."""

    id: int
    label: str


def courses_list(session: Session) -> list[Choice]:
    """Every course."""
    return [Choice(c.id, c.title) for c in session.scalars(select(Course).order_by(Course.title))]


def instructors_list(session: Session) -> list[Choice]:
    """Active people who may be assigned to teach (instructors and admins)."""
    query = select(User).where(User.role != "participant", User.is_active).order_by(User.full_name)
    return [Choice(u.id, f"{u.full_name} ({u.username})") for u in session.scalars(query)]


def offering_choices(session: Session) -> list[Choice]:
    """Every offering, newest first, labelled with its course and status."""
    query = select(Offering, Course).join(Course).order_by(Offering.id.desc())
    return [
        Choice(o.id, f"{c.title[:40]} · {o.label} ({o.status})") for o, c in session.execute(query)
    ]


def _dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def offering_form_get(session: Session, offering_id: int) -> OfferingForm:
    """The form pre-filled from an offering, times in its own zone."""
    o = session.get(Offering, offering_id)
    if o is None:
        raise NotFound("No such offering.")
    tz = zone(o.time_zone)
    sessions = tuple(
        SessionInput(
            s.title,
            s.starts_at.astimezone(tz).date(),
            s.starts_at.astimezone(tz).time(),
            s.ends_at.astimezone(tz).time(),
            s.instructional_minutes,
        )
        for s in o.sessions
    )
    instructors = tuple(
        session.scalars(
            select(OfferingInstructor.user_id).where(OfferingInstructor.offering_id == o.id)
        )
    )
    dates = {name: getattr(o, name) for name in DATE_FIELDS}
    return OfferingForm(
        o.course_id,
        o.slug,
        o.label,
        o.time_zone,
        o.status,
        _dollars(o.fee_cents),
        _dollars(o.early_fee_cents),
        _dollars(o.deposit_cents),
        o.capacity,
        sessions=sessions,
        instructor_ids=instructors,
        **dates,
    )
