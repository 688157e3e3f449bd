"""Participants check in and out with the code the instructor shows.

Refusals about the code are returned as an outcome (not raised) so that the wrong-code
row, which throttles guessing, commits with the caller's transaction while no attendance
is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session, joinedload

from portal.attendance.codes import (
    code_hash,
    code_matches,
    code_normalise,
    code_was_issued,
    is_open,
)
from portal.attendance.history import change_record, snapshot
from portal.attendance.status import policy_of
from portal.db import insert_for
from portal.errors import FieldErrors, PortalError
from portal.logs import logger
from portal.models import (
    Attendance,
    CodeAttempts,
    CodeFailure,
    CodeWindow,
    Enrollment,
    LiveSession,
    Offering,
)
from portal.timefmt import format_clock, zone

log = logger(__name__)

THROTTLE_ATTEMPTS = 5
THROTTLE_WINDOW = timedelta(minutes=10)
# Closed windows this recent still explain a refusal ("check-in is closed").
RECENT = timedelta(hours=6)
Kind = Literal["in", "out"]


@dataclass(frozen=True)
class CheckinOutcome:
    """What happened to a submitted code, in words for the participant."""

    ok: bool
    message: str
    kind: Kind | None = None
    at: datetime | None = None
    live_session_id: int | None = None
    already: bool = False
    # Recorded, but the session may not count (late check-in, early check-out).
    warning: bool = False
    # Nothing recorded: checking out now costs the credit; submit again with leave_early.
    needs_confirmation: bool = False


def throttle_check(session: Session, user_id: int, now: datetime) -> None:
    """Count this attempt and refuse when the person typed too many codes recently.

    One INSERT ... ON CONFLICT ... RETURNING counts the attempt, so concurrent submissions
    each see their own number (the row stays locked until the transaction ends); a right
    code gives its attempt back (throttle_release).
    """
    table = CodeAttempts.__table__
    stale = table.c.window_started_at <= now - THROTTLE_WINDOW
    insert = insert_for(session)(CodeAttempts).values(
        user_id=user_id, window_started_at=now, attempts=1
    )
    statement = insert.on_conflict_do_update(
        index_elements=[CodeAttempts.user_id],
        set_={
            "window_started_at": case((stale, now), else_=table.c.window_started_at),
            "attempts": case((stale, 1), else_=table.c.attempts + 1),
        },
    ).returning(CodeAttempts.attempts, CodeAttempts.window_started_at)
    attempts, started = session.execute(statement).one()
    if attempts > THROTTLE_ATTEMPTS:
        log.warning("check-in throttled: too many wrong codes", extra={"account": user_id})
        wait = max(1, int((started + THROTTLE_WINDOW - now).total_seconds() // 60) + 1)
        raise PortalError(
            f"Too many wrong codes. Please wait {wait} minute(s) and try again, "
            "or ask the instructor to mark your attendance."
        )


def throttle_release(session: Session, user_id: int) -> None:
    """Give back the attempt of a code that was right: only wrong codes use up the limit."""
    session.execute(
        update(CodeAttempts)
        .where(CodeAttempts.user_id == user_id, CodeAttempts.attempts > 0)
        .values(attempts=CodeAttempts.attempts - 1)
    )


def _recent_windows(session: Session, now: datetime) -> list[CodeWindow]:
    query = select(CodeWindow).where(
        CodeWindow.opens_at <= now, CodeWindow.closes_at > now - RECENT
    )
    return list(session.scalars(query.order_by(CodeWindow.id.desc())))


def _refusal(windows: list[CodeWindow], typed: str, now: datetime) -> str:
    issued = [w for w in windows if code_was_issued(w, typed, now)]
    if any(not is_open(w, now) for w in issued):
        return "Check-in or check-out for that session is closed; the code no longer counts."
    if issued:
        return "That code has expired. Type the code shown on the instructor's screen now."
    return "That code is not right. Check the code on the instructor's screen."


def _refuse(session: Session, user_id: int, typed: str, message: str, now: datetime):  # type: ignore[no-untyped-def]
    log.info("check-in refused", extra={"account": user_id, "reason": message})
    session.add(CodeFailure(user_id=user_id, at=now, code_hash=code_hash(typed)))
    session.flush()
    return CheckinOutcome(ok=False, message=message)


def attendance_code_submit(
    *, session: Session, user_id: int, code: str, now: datetime, leave_early: bool = False
) -> CheckinOutcome:
    """Check the person in or out of the session whose window shows this code.

    A check-out that would cost the session's credit is recorded only with `leave_early`;
    without it the outcome asks for that confirmation and nothing is recorded."""
    typed = code_normalise(code)
    if not typed:
        raise FieldErrors({"code": "Type the code shown on the instructor's screen."})
    throttle_check(session, user_id, now)
    windows = _recent_windows(session, now)
    window = next((w for w in windows if is_open(w, now) and code_matches(w, typed, now)), None)
    if window is None:
        return _refuse(session, user_id, typed, _refusal(windows, typed, now), now)
    throttle_release(session, user_id)
    found = session.execute(
        select(Enrollment, LiveSession)
        .join(LiveSession, LiveSession.offering_id == Enrollment.offering_id)
        .where(LiveSession.id == window.live_session_id, Enrollment.user_id == user_id)
        .options(joinedload(LiveSession.offering))
    ).first()
    if found is None:
        log.info("check-in refused: not enrolled", extra={"account": user_id})
        return CheckinOutcome(False, "That code is for a session you are not enrolled in.")
    enrollment, live = found
    if enrollment.status != "active":
        log.info("check-in refused: enrollment cancelled", extra={"account": user_id})
        return CheckinOutcome(False, "Your enrollment is cancelled, so attendance is not recorded.")
    kind: Kind = "in" if window.kind == "in" else "out"
    if (
        kind == "out"
        and not leave_early
        and (warning := early_leave_warning(session, enrollment, live, now))
    ):
        return CheckinOutcome(False, warning, kind, None, live.id, needs_confirmation=True)
    return _record(session, enrollment, live, kind, code_hash(typed), user_id, now)


def _minutes_early(live: LiveSession, at: datetime, checked_in_at: datetime | None) -> int:
    """How many minutes before the session's end an instant is, when leaving then (with any
    late arrival) misses more than the course allows; else 0."""
    early = int((live.ends_at - at).total_seconds() // 60)
    late = (
        max(0, int((checked_in_at - live.starts_at).total_seconds() // 60)) if checked_in_at else 0
    )
    return early if early > 0 and early + late > policy_of(live.offering).missed_minutes else 0


def early_leave_warning(
    session: Session, enrollment: Enrollment, live: LiveSession, now: datetime
) -> str | None:
    """What checking out now costs, when it is too early for the session to count (and the
    person has not checked out yet)."""
    pair = (Attendance.enrollment_id == enrollment.id, Attendance.live_session_id == live.id)
    row = session.scalars(select(Attendance).where(*pair)).first()
    if row is not None and row.checked_out_at is not None:
        return None
    early = _minutes_early(live, now, row.checked_in_at if row else None)
    if not early:
        return None
    end = format_clock(live.ends_at.astimezone(zone(live.offering.time_zone)))
    return (
        f"Leaving now means this session will not count for credit: {live.title} ends at "
        f"{end}, {early} minutes from now, and the course allows "
        f"{policy_of(live.offering).missed_minutes} minutes missed per session."
    )


def _insert_once(session: Session, values: dict[str, object]) -> int | None:
    """Insert a record unless one exists for the pair; the unique constraint decides, so
    concurrent submissions from any process record once. Returns the new id or None."""
    statement = (
        insert_for(session)(Attendance)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["enrollment_id", "live_session_id"])
        .returning(Attendance.id)
    )
    return session.execute(statement).scalar()


def _record(
    session: Session,
    enrollment: Enrollment,
    live: LiveSession,
    kind: Kind,
    hashed: str,
    user_id: int,
    now: datetime,
) -> CheckinOutcome:
    field = "checked_in_at" if kind == "in" else "checked_out_at"
    values: dict[str, object] = {
        "enrollment_id": enrollment.id, "live_session_id": live.id, "source": "code",
        "reason": "", "updated_at": now, "recorded_by_id": user_id, field: now,
    }  # fmt: skip
    new_id = _insert_once(session, values)
    if new_id is not None:
        # A detached copy of what was inserted, for the history (saves a round trip).
        row = Attendance(id=new_id, evidence_minutes=None, **values)
        change_record(
            session=session, row=row, before={}, actor_id=user_id,
            action=f"check_{kind}", code_hash=hashed,
        )  # fmt: skip
        return _done(live, kind, now, row)
    pair = (Attendance.enrollment_id == enrollment.id, Attendance.live_session_id == live.id)
    row = session.scalars(select(Attendance).where(*pair)).one()
    return _update(session, row, live, kind, hashed, user_id, now)


def _update(
    session: Session,
    row: Attendance,
    live: LiveSession,
    kind: Kind,
    hashed: str,
    user_id: int,
    now: datetime,
) -> CheckinOutcome:
    field = Attendance.checked_in_at if kind == "in" else Attendance.checked_out_at
    current = getattr(row, field.key)
    if current is not None:
        return _done(live, kind, current, row, already=True)
    if kind == "in" and row.checked_out_at is not None:
        return CheckinOutcome(False, "You already checked out of this session.")
    before = snapshot(row)
    # Only the first of two concurrent submissions fills the empty field.
    result = session.execute(
        update(Attendance)
        .where(Attendance.id == row.id, field.is_(None))
        .values({field.key: now, "updated_at": now, "source": "code", "recorded_by_id": user_id})
    )
    session.refresh(row)
    if result.rowcount == 0:  # type: ignore[attr-defined]
        return _done(live, kind, getattr(row, field.key), row, already=True)
    change_record(
        session=session, row=row, before=before, actor_id=user_id,
        action=f"check_{kind}", code_hash=hashed,
    )  # fmt: skip
    return _done(live, kind, now, row)


def _done(
    live: LiveSession, kind: Kind, at: datetime, row: Attendance, already: bool = False
) -> CheckinOutcome:
    offering: Offering = live.offering
    verb = "checked in to" if kind == "in" else "checked out of"
    message = f"You {verb} {live.title}." if not already else f"You already {verb} {live.title}."
    allowed = policy_of(offering).missed_minutes
    warning = False
    if kind == "in":
        late = (at - live.starts_at).total_seconds() / 60
        if late > allowed:
            warning = True
            message += (
                f" That is {int(late)} minutes after the start; the course allows {allowed} "
                "minutes missed per session, so this session does not count for credit."
            )
    else:
        if early := _minutes_early(live, at, row.checked_in_at):
            warning = True
            message += (
                f" That is {early} minutes before the end; the course allows {allowed} "
                "minutes missed per session, so this session does not count for credit."
            )
        if row.checked_in_at is None:
            warning = True
            message += " No check-in is recorded for you: request a correction below."
    return CheckinOutcome(True, message, kind, at, live.id, already, warning)
