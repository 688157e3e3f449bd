import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.attendance.checkin import THROTTLE_ATTEMPTS, attendance_code_submit
from portal.attendance.codes import code_for, current_code
from portal.attendance.status import attendance_summary
from portal.db import transaction
from portal.errors import FieldErrors, PortalError
from portal.models import Attendance, AttendanceChange, AuditEvent, CodeFailure
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import window_make

START = datetime(2023, 5, 18, 16, 0, tzinfo=UTC)
SESSIONS = [
    (START, START + timedelta(hours=3)),
    (START + timedelta(weeks=1), START + timedelta(weeks=1, hours=3)),
]


@pytest.fixture
def setup(session):
    offering = offering_make(session, sessions=SESSIONS)
    user = user_make(session)
    enrollment = enrollment_make(session, user, offering)
    live = offering.sessions[0]
    window = window_make(session, live, opens_at=START - timedelta(minutes=10))
    session.commit()
    return offering, user, enrollment, live, window


def submit(factory, user, code, now, **options):
    with transaction(factory) as s:
        return attendance_code_submit(session=s, user_id=user.id, code=code, now=now, **options)


def code_at(window, now):
    return current_code(window, now).code


def rows(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_check_in_and_out_make_the_session_present(session, factory, setup):
    _offering, user, enrollment, live, window = setup
    now = START + timedelta(minutes=2)
    outcome = submit(factory, user, code_at(window, now), now)
    assert outcome.ok and outcome.kind == "in" and outcome.at == now
    out_window = window_make(
        session, live, kind="out", opens_at=live.ends_at - timedelta(minutes=10)
    )
    session.commit()
    later = live.ends_at - timedelta(minutes=3)
    assert submit(factory, user, code_at(out_window, later), later).ok
    summary = attendance_summary(session, enrollment.id)
    assert summary.sessions[0].status == "present"  # 5 minutes missed: the tolerance
    assert summary.sessions[0].minutes_attended == 175  # 16:02 to 18:57
    history = session.scalars(select(AttendanceChange).order_by(AttendanceChange.id)).all()
    assert [c.action for c in history] == ["check_in", "check_out"]
    assert history[1].before["checked_out_at"] is None and history[1].code_hash
    assert rows(session, AuditEvent) == 2


def test_submitting_twice_records_once(session, factory, setup):
    _, user, _, _, window = setup
    code = code_at(window, START)
    first = submit(factory, user, code, START)
    second = submit(factory, user, code, START + timedelta(seconds=5))
    assert first.ok and second.ok and second.already and second.at == START
    assert rows(session, Attendance) == 1
    assert rows(session, AttendanceChange) == 1


@pytest.mark.parametrize(
    ("code", "offset", "message"),
    [
        ("WRONG1", 1, "not right"),
        (None, 400, "expired"),
    ],
)
def test_wrong_or_expired_code_is_refused_and_nothing_recorded(
    session, factory, setup, code, offset, message
):
    _, user, _, _, window = setup
    # Interval 0 runs from START-10 min to START-5 min; offsets are from the window opening.
    now = window.opens_at + timedelta(seconds=offset)
    outcome = submit(factory, user, code or code_for(window.secret, 0), now)
    assert not outcome.ok and message in outcome.message
    assert rows(session, Attendance) == 0
    assert rows(session, CodeFailure) == 1


def test_closed_window_is_refused(session, factory, setup):
    _, user, _, _, window = setup
    now = window.closes_at + timedelta(seconds=1)
    outcome = submit(factory, user, code_at(window, now - timedelta(seconds=2)), now)
    assert not outcome.ok and "closed" in outcome.message
    assert rows(session, Attendance) == 0


def test_other_sessions_code_is_refused(session, factory, setup):
    _, user, _, _, window = setup
    other = offering_make(session, sessions=SESSIONS)
    other_window = window_make(session, other.sessions[0], opens_at=window.opens_at)
    session.commit()
    outcome = submit(factory, user, code_for(other_window.secret, 0), window.opens_at)
    assert not outcome.ok and "not enrolled" in outcome.message
    assert rows(session, Attendance) == 0


def test_cancelled_enrollment_is_refused(session, factory, setup):
    _, user, enrollment, _, window = setup
    enrollment.status = "cancelled"
    session.commit()
    outcome = submit(factory, user, code_for(window.secret, 0), window.opens_at)
    assert not outcome.ok and "cancelled" in outcome.message
    assert rows(session, Attendance) == 0


def test_repeated_wrong_codes_are_throttled_per_person(session, factory, setup):
    _, user, _, _, window = setup
    now = window.opens_at
    for i in range(THROTTLE_ATTEMPTS):
        assert not submit(factory, user, f"XXXX{i}", now + timedelta(seconds=i)).ok
    with pytest.raises(PortalError, match="Too many wrong codes"):
        submit(factory, user, code_for(window.secret, 0), now + timedelta(seconds=10))
    assert rows(session, Attendance) == 0
    other = user_make(session)
    enrollment_make(session, other, setup[0])
    session.commit()
    assert submit(factory, other, code_for(window.secret, 0), now + timedelta(seconds=10)).ok
    # Ten minutes after the first failure the person may try again.
    assert submit(
        factory, user, code_for(window.secret, 2), now + timedelta(minutes=10, seconds=1)
    ).ok


def test_empty_code_is_a_field_error(factory, setup):
    with pytest.raises(FieldErrors):
        submit(factory, setup[1], "  - ", START)


def test_late_check_in_is_recorded_with_a_warning(session, factory, setup):
    _, user, _enrollment, _, window = setup
    now = START + timedelta(minutes=19)
    outcome = submit(factory, user, code_at(window, now), now)
    assert outcome.ok and "19 minutes after the start" in outcome.message
    assert outcome.warning


def test_on_time_check_in_is_no_warning(factory, setup):
    _, user, _enrollment, _, window = setup
    now = START + timedelta(minutes=3)
    assert not submit(factory, user, code_at(window, now), now).warning


def test_early_check_out_asks_first_and_records_nothing(session, factory, setup):
    _, user, _enrollment, live, _ = setup
    out_window = window_make(session, live, kind="out", opens_at=START + timedelta(minutes=20))
    session.commit()
    now = START + timedelta(minutes=30)
    outcome = submit(factory, user, code_at(out_window, now), now)
    assert not outcome.ok and outcome.needs_confirmation
    assert outcome.message == (
        "Leaving now means this session will not count for credit: Session 1 ends at "
        "12:00 PM PDT, 150 minutes from now, and the course allows 5 minutes missed per "
        "session."
    )
    assert rows(session, Attendance) == 0
    assert rows(session, CodeFailure) == 0


def test_early_check_out_confirmed_is_recorded_with_a_warning(session, factory, setup):
    _, user, _enrollment, live, _ = setup
    out_window = window_make(session, live, kind="out", opens_at=START + timedelta(minutes=20))
    session.commit()
    now = START + timedelta(minutes=30)
    outcome = submit(factory, user, code_at(out_window, now), now, leave_early=True)
    assert outcome.ok and outcome.warning and outcome.kind == "out"
    assert (
        "150 minutes before the end; the course allows 5 minutes missed per session, so this session does not count for credit"
        in (outcome.message)
    )
    assert session.scalar(select(Attendance.checked_out_at)) == now


def test_check_out_near_the_end_needs_no_confirmation(session, factory, setup):
    _, user, _enrollment, live, _ = setup
    out_window = window_make(
        session, live, kind="out", opens_at=live.ends_at - timedelta(minutes=20)
    )
    session.commit()
    now = live.ends_at - timedelta(minutes=3)
    outcome = submit(factory, user, code_at(out_window, now), now)
    assert outcome.ok and not outcome.needs_confirmation


def test_concurrent_double_submissions_record_once(session, factory, setup, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("thread concurrency is meaningful on PostgreSQL")
    _, user, _, _, window = setup
    code = code_for(window.secret, 0)
    barrier = threading.Barrier(8)
    results = []

    def worker():
        barrier.wait()
        results.append(submit(factory, user, code, window.opens_at))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.ok for r in results)
    assert rows(session, Attendance) == 1
    assert rows(session, AttendanceChange) == 1


def test_twenty_concurrent_wrong_codes_evaluate_at_most_the_limit(
    session, factory, setup, database_url
):
    if not database_url.startswith("postgresql"):
        pytest.skip("thread concurrency is meaningful on PostgreSQL")
    _, user, _, _, window = setup
    barrier = threading.Barrier(20)
    refused: list[str] = []

    def worker(i: int) -> None:
        barrier.wait()
        try:
            submit(factory, user, f"WRONG{i:02d}", window.opens_at)
        except PortalError as error:
            refused.append(str(error))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert rows(session, CodeFailure) <= THROTTLE_ATTEMPTS
    assert len(refused) >= 20 - THROTTLE_ATTEMPTS
    assert all("Too many wrong codes" in message for message in refused)


def test_a_right_code_does_not_use_up_an_attempt(session, factory, setup):
    _, user, _, _, window = setup
    now = window.opens_at
    assert submit(factory, user, code_for(window.secret, 0), now).ok
    for i in range(THROTTLE_ATTEMPTS - 1):
        assert not submit(factory, user, f"XXXX{i}", now + timedelta(seconds=i)).ok
    # Five attempts in all, one of them right: the person may still try once more.
    assert not submit(factory, user, "XXXX9", now + timedelta(seconds=9)).ok
