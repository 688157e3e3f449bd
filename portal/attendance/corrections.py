"""Manual marks and corrections (always with a reason) and participants' correction requests."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.attendance.access import live_session_get
from portal.attendance.history import change_record, snapshot
from portal.authz import staff_check
from portal.errors import FieldErrors, NotAllowed, NotFound, PortalError
from portal.models import Attendance, CorrectionRequest, Enrollment, LiveSession
from portal.records.audit import audit_record
from portal.timefmt import format_instant, format_span


def _times_check(checked_in_at: datetime | None, checked_out_at: datetime | None) -> None:
    if checked_in_at and checked_out_at and checked_in_at > checked_out_at:
        raise FieldErrors({"checked_out_at": "Check-out must be after check-in."})


def session_times_problems(
    live: LiveSession,
    checked_in_at: datetime | None,
    checked_out_at: datetime | None,
    now: datetime,
) -> dict[str, str]:
    """Why these times cannot be recorded for the session: it has not started, a time lies
    in the future, or outside the session by more than the offering's tolerance (a check-in
    before the start by up to the late tolerance, a check-out after the end by up to the
    early-leave tolerance). Nothing is credited for time that has not happened."""
    tz = live.offering.time_zone
    if now < live.starts_at:
        return {
            "_form": f"{live.title} has not started yet (it starts "
            f"{format_instant(live.starts_at, tz)}); attendance can be recorded once it has "
            "started."
        }
    earliest = live.starts_at - timedelta(minutes=live.offering.late_tolerance_minutes)
    latest = live.ends_at + timedelta(minutes=live.offering.early_leave_tolerance_minutes)
    problems = {}
    for field, instant, label in (
        ("checked_in_at", checked_in_at, "Check-in"),
        ("checked_out_at", checked_out_at, "Check-out"),
    ):
        if instant is None:
            continue
        if instant > now:
            problems[field] = f"{label} lies in the future; record only time that has passed."
        elif not earliest <= instant <= latest:
            problems[field] = (
                f"{label} must lie within the session, {format_span(earliest, latest, tz)}."
            )
    return problems


def _enrollment_in(session: Session, enrollment_id: int, offering_id: int) -> Enrollment:
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.offering_id != offering_id:
        raise NotFound("No such enrollment in this offering.")
    return enrollment


def attendance_mark(
    *,
    session: Session,
    actor_id: int,
    enrollment_id: int,
    live_session_id: int,
    checked_in_at: datetime | None,
    checked_out_at: datetime | None,
    reason: str,
    now: datetime,
) -> Attendance:
    """Mark or correct one record (source manual); the old values stay in the history."""
    live = live_session_get(session, live_session_id)
    staff_check(session, actor_id, live.offering_id)
    enrollment = _enrollment_in(session, enrollment_id, live.offering_id)
    if not reason.strip():
        raise FieldErrors({"reason": "Give the reason for this change; it is kept on record."})
    if problems := session_times_problems(live, checked_in_at, checked_out_at, now):
        raise FieldErrors(problems)
    _times_check(checked_in_at, checked_out_at)
    pair = (Attendance.enrollment_id == enrollment.id, Attendance.live_session_id == live.id)
    # Lock the record so two correctors cannot overwrite each other unseen.
    row = session.scalar(select(Attendance).where(*pair).with_for_update())
    before = snapshot(row)
    if row is None:
        row = Attendance(enrollment_id=enrollment.id, live_session_id=live.id)
        try:
            with session.begin_nested():
                session.add(row)
                row.updated_at = now
                row.source = "manual"
                row.reason = ""
        except IntegrityError:
            row = session.scalars(select(Attendance).where(*pair).with_for_update()).one()
            before = snapshot(row)
    row.checked_in_at, row.checked_out_at = checked_in_at, checked_out_at
    row.source, row.recorded_by_id, row.reason = "manual", actor_id, reason.strip()
    row.evidence_minutes, row.updated_at = None, now
    session.flush()
    action = "correct" if before.get("checked_in_at") or before.get("checked_out_at") else "mark"
    change_record(
        session=session, row=row, before=before, actor_id=actor_id, action=action,
        reason=reason.strip(),
    )  # fmt: skip
    return row


def correction_request(
    *,
    session: Session,
    user_id: int,
    enrollment_id: int,
    live_session_id: int,
    note: str,
    now: datetime,
    requested_check_in: datetime | None = None,
    requested_check_out: datetime | None = None,
) -> CorrectionRequest:
    """A participant asks to correct their own attendance at one session."""
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.user_id != user_id:
        raise NotFound("No such enrollment.")
    live = live_session_get(session, live_session_id)
    if live.offering_id != enrollment.offering_id:
        raise NotFound("No such session in your offering.")
    if not note.strip():
        raise FieldErrors({"note": "Tell the instructor what happened."})
    _times_check(requested_check_in, requested_check_out)
    request = CorrectionRequest(
        enrollment_id=enrollment.id, live_session_id=live.id, note=note.strip(),
        requested_check_in=requested_check_in, requested_check_out=requested_check_out,
        created_at=now,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(request)
    except IntegrityError:
        raise FieldErrors(
            {"note": "You already have a request for this session waiting for the instructor."}
        ) from None
    audit_record(
        session=session, actor_id=user_id, action="attendance.correction_request",
        subject_type="attendance_correction_request", subject_id=request.id, reason=note.strip(),
    )  # fmt: skip
    return request


def correction_decide(
    *,
    session: Session,
    actor_id: int,
    request_id: int,
    approve: bool,
    reason: str,
    now: datetime,
) -> CorrectionRequest:
    """Approve (applying the requested times) or decline a pending request, with a reason."""
    request = session.get(CorrectionRequest, request_id)
    if request is None:
        raise NotFound("No such request.")
    live = live_session_get(session, request.live_session_id)
    staff_check(session, actor_id, live.offering_id)
    if not reason.strip():
        raise FieldErrors({"reason": "Give the reason for your decision."})
    if approve:
        _approvable_check(session, request, live, now)
    status = "approved" if approve else "declined"
    # Only one decision wins when two people (or two clicks) decide at once.
    result = session.execute(
        update(CorrectionRequest)
        .where(CorrectionRequest.id == request.id, CorrectionRequest.status == "pending")
        .values(status=status, decided_by_id=actor_id, decided_at=now, decision_reason=reason)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise PortalError("This request was already decided.")
    session.refresh(request)
    if approve:
        _apply(session, request, actor_id, reason.strip(), now)
    audit_record(
        session=session, actor_id=actor_id, action=f"attendance.correction_{status}",
        subject_type="attendance_correction_request", subject_id=request.id, reason=reason,
    )  # fmt: skip
    return request


def _approvable_check(
    session: Session, request: CorrectionRequest, live: LiveSession, now: datetime
) -> None:
    """Refuse approving times that could not be marked (the message says why)."""
    checked_in, checked_out = _requested_times(session, request)
    if problems := session_times_problems(live, checked_in, checked_out, now):
        raise PortalError("Cannot approve: " + " ".join(problems.values()))


def _requested_times(
    session: Session, request: CorrectionRequest
) -> tuple[datetime | None, datetime | None]:
    current = session.scalar(
        select(Attendance).where(
            Attendance.enrollment_id == request.enrollment_id,
            Attendance.live_session_id == request.live_session_id,
        )
    )
    checked_in = request.requested_check_in or (current.checked_in_at if current else None)
    checked_out = request.requested_check_out or (current.checked_out_at if current else None)
    return checked_in, checked_out


def _apply(
    session: Session, request: CorrectionRequest, actor_id: int, reason: str, now: datetime
) -> None:
    checked_in, checked_out = _requested_times(session, request)
    if checked_in is None and checked_out is None:
        raise NotAllowed("The request names no times; mark the attendance instead.")
    attendance_mark(
        session=session, actor_id=actor_id, enrollment_id=request.enrollment_id,
        live_session_id=request.live_session_id, checked_in_at=checked_in,
        checked_out_at=checked_out, reason=f"Request #{request.id} approved: {reason}", now=now,
    )  # fmt: skip
