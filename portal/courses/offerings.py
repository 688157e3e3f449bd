"""Admin tools for offerings: create and edit dates, time zone, sessions, fees, deadlines,
capacity and instructors. Cancelling an offering is portal.enrollment.cancellations.offering_cancel."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.authz import admin_check
from portal.errors import FieldErrors, NotFound
from portal.models import (
    Attendance,
    Certificate,
    CorrectionRequest,
    Course,
    Enrollment,
    LiveSession,
    Offering,
    OfferingInstructor,
    User,
)
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
    # Why session dates or deadlines change (required then; kept in the audit log).
    reason: str = ""
    certificate_requires_payment: bool = True


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


@dataclass(frozen=True)
class PlannedSession:
    """A session as the form would store it: instants in UTC."""

    position: int
    title: str
    starts_at: datetime
    ends_at: datetime
    instructional_minutes: int

    def schedule(self) -> dict[str, str | int]:
        """What credit depends on, for comparisons and the audit log."""
        return {
            "position": self.position,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "instructional_minutes": self.instructional_minutes,
        }


def _planned(form: OfferingForm) -> list[PlannedSession]:
    planned = []
    for position, s in enumerate(form.sessions, 1):
        assert s.day and s.start and s.end  # checked by offering_form_problems
        planned.append(
            PlannedSession(
                position,
                s.title.strip() or f"Session {position}",
                local_instant(s.day, s.start, form.time_zone),
                local_instant(s.day, s.end, form.time_zone),
                s.instructional_minutes,
            )
        )
    return planned


def _schedule_of(offering: Offering) -> list[dict[str, str | int]]:
    return [
        PlannedSession(
            s.position, s.title, s.starts_at, s.ends_at, s.instructional_minutes
        ).schedule()
        for s in offering.sessions
    ]


def offering_records(session: Session, offering_id: int) -> dict[str, int]:
    """How many records hang on the offering's sessions: enrollments, attendance
    records, correction requests and certificates (only the kinds that exist)."""
    enrolled = select(Enrollment.id).where(Enrollment.offering_id == offering_id)
    lives = select(LiveSession.id).where(LiveSession.offering_id == offering_id)
    counts = {
        "enrollment": select(func.count()).select_from(enrolled.subquery()),
        "attendance record": select(func.count(Attendance.id)).where(
            Attendance.live_session_id.in_(lives)
        ),
        "attendance correction request": select(func.count(CorrectionRequest.id)).where(
            CorrectionRequest.live_session_id.in_(lives)
        ),
        "certificate": select(func.count(Certificate.id)).where(
            Certificate.enrollment_id.in_(enrolled)
        ),
    }
    found = {name: session.scalar(query) or 0 for name, query in counts.items()}
    return {name: n for name, n in found.items() if n}


def _schedule_refusal(records: dict[str, int]) -> str:
    held = ", ".join(f"{n} {name}{'' if n == 1 else 's'}" for name, n in records.items())
    return (
        f"This offering has {held}, so its sessions cannot be removed, added or moved. "
        "To call it off, cancel the offering (everyone gets a full refund) and create a new "
        "one with the new dates; to fix one person's attendance, correct their record with "
        "a reason on the Attendance page."
    )


def _apply_sessions(session: Session, offering: Offering, planned: list[PlannedSession]) -> None:
    by_position = {s.position: s for s in offering.sessions}
    for plan in planned:
        live = by_position.pop(plan.position, None)
        if live is None:
            live = LiveSession(position=plan.position)
            offering.sessions.append(live)
        live.title, live.starts_at, live.ends_at = plan.title, plan.starts_at, plan.ends_at
        live.instructional_minutes = plan.instructional_minutes
    for extra in by_position.values():
        # Only reached when nothing refers to the offering's sessions; the RESTRICT keys
        # refuse the delete otherwise.
        offering.sessions.remove(extra)
        session.delete(extra)


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


def _date_changes(offering: Offering, form: OfferingForm, planned: list[PlannedSession]) -> dict:
    """Before and after of the session schedule and of each deadline that changes."""
    changes: dict[str, dict] = {}
    before, after = _schedule_of(offering), [p.schedule() for p in planned]
    if before != after:
        changes["sessions"] = {"before": before, "after": after}
    for name in DATE_FIELDS:
        old, new = getattr(offering, name), getattr(form, name)
        if old != new:
            changes[name] = {
                "before": old.isoformat() if old else None,
                "after": new.isoformat() if new else None,
            }
    return changes


def _edit_problems(
    session: Session, offering: Offering, form: OfferingForm, changes: dict
) -> dict[str, str]:
    if offering.status == "cancelled":
        return {"status": "A cancelled offering cannot be edited."}
    if "sessions" in changes and (records := offering_records(session, offering.id)):
        return {"sessions": _schedule_refusal(records)}
    if changes and not form.reason.strip():
        return {"reason": "Say why the dates change; the reason is kept in the audit log."}
    return {}


def offering_save(
    *, session: Session, actor_id: int, offering_id: int | None, form: OfferingForm
) -> Offering:
    """Create (offering_id None) or edit an offering, audited with its sessions.

    A schedule change is refused while records hang on the sessions; any date change of
    an existing offering needs a reason and is audited with before and after.
    """
    admin_check(session, actor_id)
    errors, cents = offering_form_problems(form)
    if errors:
        raise FieldErrors(errors)
    if session.get(Course, form.course_id) is None:
        raise FieldErrors({"course": "Choose a course."})
    offering = session.get(Offering, offering_id) if offering_id else Offering()
    if offering is None:
        raise NotFound("No such offering.")
    planned = _planned(form)
    changes = _date_changes(offering, form, planned) if offering_id else {}
    if offering_id and (problems := _edit_problems(session, offering, form, changes)):
        raise FieldErrors(problems)
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
    offering.certificate_requires_payment = form.certificate_requires_payment
    for name in DATE_FIELDS:
        setattr(offering, name, getattr(form, name))
    _apply_sessions(session, offering, planned)
    try:
        with session.begin_nested():
            session.add(offering)
            session.flush()
    except IntegrityError:
        raise FieldErrors({"slug": "This course already has an offering with this slug."}) from None
    instructors = _apply_instructors(session, offering, set(form.instructor_ids))
    audit_record(
        session=session,
        actor_id=actor_id,
        action="offering.update" if offering_id else "offering.create",
        subject_type="offering",
        subject_id=offering.id,
        reason=form.reason.strip(),
        details={
            "offering_id": offering.id,
            "instructors": instructors,
            "fee_cents": offering.fee_cents,
            "capacity": offering.capacity,
            "certificate_requires_payment": offering.certificate_requires_payment,
            "sessions": _schedule_of(offering),
            "date_changes": changes,
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
        certificate_requires_payment=o.certificate_requires_payment,
        **dates,
    )
