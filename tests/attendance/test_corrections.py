from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.attendance import mine
from portal.attendance.corrections import attendance_mark, correction_decide, correction_request
from portal.attendance.history import snapshot_text
from portal.attendance.roster import correction_requests, record_history
from portal.attendance.status import attendance_summary
from portal.errors import FieldErrors, NotAllowed, NotFound, PortalError
from portal.models import Attendance, AttendanceChange, AuditEvent, CorrectionRequest, User, utc_now
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import attendance_make

START = datetime(2023, 5, 18, 16, 0, tzinfo=UTC)
NOW = START + timedelta(days=1)


@pytest.fixture
def world(session):
    instructor = user_make(session, role="instructor")
    offering = offering_make(
        session, sessions=[(START, START + timedelta(hours=3))], instructors=[instructor]
    )
    participant = user_make(session)
    enrollment = enrollment_make(session, participant, offering)
    return instructor, offering, participant, enrollment, offering.sessions[0]


def mark(session, actor, enrollment, live, reason="Zoom showed her the whole time", **times):
    times.setdefault("checked_in_at", live.starts_at)
    times.setdefault("checked_out_at", live.ends_at)
    return attendance_mark(
        session=session, actor_id=actor.id, enrollment_id=enrollment.id,
        live_session_id=live.id, reason=reason, now=NOW, **times,
    )  # fmt: skip


def test_marking_needs_a_reason_and_keeps_history(session, world):
    instructor, _, _, enrollment, live = world
    with pytest.raises(FieldErrors) as error:
        mark(session, instructor, enrollment, live, reason="  ")
    assert "reason" in error.value.errors
    attendance_make(session, enrollment, live, checked_out_at=live.ends_at - timedelta(hours=1))
    mark(session, instructor, enrollment, live)
    assert attendance_summary(session, enrollment.id).sessions[0].status == "present"
    history = record_history(session, instructor.id, enrollment.id, live.id)
    assert [h.action for h in history] == ["correct"]
    assert history[0].before["checked_out_at"] == (live.ends_at - timedelta(hours=1)).isoformat()
    assert history[0].after["source"] == "manual"
    event = session.scalars(select(AuditEvent)).one()
    assert event.action == "attendance.correct" and event.actor_id == instructor.id


def test_check_out_before_check_in_is_refused(session, world):
    instructor, _, _, enrollment, live = world
    with pytest.raises(FieldErrors):
        mark(session, instructor, enrollment, live, checked_in_at=live.ends_at,
             checked_out_at=live.starts_at)  # fmt: skip


def test_only_assigned_instructors_and_admins_mark(session, world):
    _, _, participant, enrollment, live = world
    stranger = user_make(session, role="instructor")
    for person in (stranger, participant):
        with pytest.raises(NotAllowed):
            mark(session, person, enrollment, live)
    mark(session, user_make(session, role="admin"), enrollment, live)
    assert session.scalars(select(AttendanceChange)).one().action == "mark"


def test_enrollment_of_another_offering_is_not_found(session, world):
    instructor, _, _, _, live = world
    other = enrollment_make(session, user_make(session), offering_make(session))
    with pytest.raises(NotFound):
        mark(session, instructor, other, live)


def request(session, user, enrollment, live, note="I was there; my check-out failed"):
    return correction_request(
        session=session, user_id=user.id, enrollment_id=enrollment.id, live_session_id=live.id,
        note=note, now=NOW, requested_check_in=live.starts_at, requested_check_out=live.ends_at,
    )  # fmt: skip


def test_request_then_approve_applies_the_times(session, world):
    instructor, offering, participant, enrollment, live = world
    r = request(session, participant, enrollment, live)
    with pytest.raises(FieldErrors, match="already"):
        request(session, participant, enrollment, live)
    assert [v.id for v in correction_requests(session, instructor.id, offering.id)] == [r.id]
    with pytest.raises(FieldErrors):
        correction_decide(session=session, actor_id=instructor.id, request_id=r.id,
                          approve=True, reason="", now=NOW)  # fmt: skip
    correction_decide(session=session, actor_id=instructor.id, request_id=r.id, approve=True,
                      reason="Chat log confirms", now=NOW)  # fmt: skip
    assert attendance_summary(session, enrollment.id).sessions[0].status == "present"
    with pytest.raises(PortalError, match="already decided"):
        correction_decide(session=session, actor_id=instructor.id, request_id=r.id,
                          approve=False, reason="double click", now=NOW)  # fmt: skip
    assert correction_requests(session, instructor.id, offering.id) == []


def test_declined_request_changes_nothing_and_a_new_one_may_follow(session, world):
    instructor, _, participant, enrollment, live = world
    r = request(session, participant, enrollment, live)
    correction_decide(session=session, actor_id=instructor.id, request_id=r.id, approve=False,
                      reason="No evidence", now=NOW)  # fmt: skip
    assert attendance_summary(session, enrollment.id).sessions[0].status == "absent"
    assert session.get(CorrectionRequest, r.id).status == "declined"
    request(session, participant, enrollment, live, note="Here is my screenshot")


def test_participants_request_only_for_themselves_and_decide_nothing(session, world):
    _instructor, _, participant, enrollment, live = world
    other = user_make(session)
    with pytest.raises(NotFound):
        request(session, other, enrollment, live)
    with pytest.raises(FieldErrors):
        request(session, participant, enrollment, live, note=" ")
    r = request(session, participant, enrollment, live)
    with pytest.raises(NotAllowed):
        correction_decide(session=session, actor_id=participant.id, request_id=r.id,
                          approve=True, reason="me", now=NOW)  # fmt: skip


def _future_world(session):
    """A session live now (started 30 minutes ago) and one a week later."""
    instructor = user_make(session, role="instructor")
    offering = offering_make(session, instructors=[instructor])
    enrollment = enrollment_make(session, user_make(session), offering)
    return instructor, enrollment, offering.sessions


def _mark_now(session, actor, enrollment, live, **times):
    times.setdefault("checked_out_at", None)
    return attendance_mark(
        session=session, actor_id=actor.id, enrollment_id=enrollment.id,
        live_session_id=live.id, reason="joined by phone", now=utc_now(), **times,
    )  # fmt: skip


def test_a_session_that_has_not_started_cannot_be_marked(session):
    instructor, enrollment, (_live, later) = _future_world(session)
    with pytest.raises(FieldErrors) as error:
        _mark_now(session, instructor, enrollment, later,
                  checked_in_at=later.starts_at, checked_out_at=later.ends_at)  # fmt: skip
    assert "Session 2 has not started yet" in error.value.errors["_form"]
    assert session.scalar(select(Attendance.id)) is None


def test_times_in_the_future_or_outside_the_session_are_refused(session):
    instructor, enrollment, (live, _later) = _future_world(session)
    with pytest.raises(FieldErrors) as error:
        _mark_now(session, instructor, enrollment, live,
                  checked_in_at=live.starts_at, checked_out_at=live.ends_at)  # fmt: skip
    assert "Check-out lies in the future" in error.value.errors["checked_out_at"]
    with pytest.raises(FieldErrors) as error:
        _mark_now(session, instructor, enrollment, live,
                  checked_in_at=live.starts_at - timedelta(minutes=16))  # fmt: skip
    assert "Check-in must lie within the session" in error.value.errors["checked_in_at"]
    # Within the tolerance around the session, and only what has passed: accepted.
    row = _mark_now(session, instructor, enrollment, live,
                    checked_in_at=live.starts_at - timedelta(minutes=15))  # fmt: skip
    assert row.checked_in_at == live.starts_at - timedelta(minutes=15)


def test_approving_a_request_whose_check_out_lies_ahead_is_refused(session):
    instructor, enrollment, (live, _later) = _future_world(session)
    participant = session.get(User, enrollment.user_id)
    request = correction_request(
        session=session, user_id=participant.id, enrollment_id=enrollment.id,
        live_session_id=live.id, note="I stay to the end", now=utc_now(),
        requested_check_in=live.starts_at, requested_check_out=live.ends_at,
    )  # fmt: skip
    with pytest.raises(PortalError, match="Cannot approve: Check-out lies in the future"):
        correction_decide(session=session, actor_id=instructor.id, request_id=request.id,
                          approve=True, reason="ok", now=utc_now())  # fmt: skip
    session.refresh(request)
    assert request.status == "pending" and session.scalar(select(Attendance.id)) is None


def test_history_shows_times_in_the_offering_zone_not_raw_utc():
    values = {"checked_in_at": "2026-12-07T03:45:00+00:00", "checked_out_at": None}
    assert snapshot_text(values, "America/Los_Angeles") == "Sun, Dec 6, 2026, 7:45 PM PST → —"
    assert snapshot_text({}, "UTC") == "— → —"


def test_a_correction_is_offered_only_for_ones_own_active_enrollment(session):
    offering = offering_make(session)
    owner, other = user_make(session), user_make(session)
    mine_enrollment = enrollment_make(session, owner, offering)
    session.commit()
    found = mine.correction_offering(session, owner.id, mine_enrollment.id)
    assert found is not None and found.enrollment_id == mine_enrollment.id
    assert mine.correction_offering(session, other.id, mine_enrollment.id) is None
    mine_enrollment.status = "cancelled"
    session.commit()
    assert mine.correction_offering(session, owner.id, mine_enrollment.id) is None
