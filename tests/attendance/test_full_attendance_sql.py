"""enrollments_meeting (SQL) agrees with session_status / AttendanceSummary.meets (Python) on
every edge of the rule: tolerances to the microsecond, missing check-out, platform evidence
minutes, cancelled enrollments, other policies."""

from __future__ import annotations

import itertools
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.attendance.status import (
    attendance_summaries,
    enrollments_meeting,
    enrollments_meeting_full_attendance,
)
from portal.models import Attendance, LiveSession
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_evaluation import ENDED

M, S, US = timedelta(minutes=1), timedelta(seconds=1), timedelta(microseconds=1)

# name: (check-in offset from start, check-out offset from end, source, evidence minutes);
# offsets None mean "not recorded"; "none" has no row at all. Sessions are 3 hours long.
CASES: dict[str, tuple | None] = {
    "none": None,
    "in-only": (timedelta(0), None, "code", None),
    "out-only": (None, timedelta(0), "manual", None),
    "exact": (timedelta(0), timedelta(0), "code", None),
    "early-in-late-out": (-30 * M, 30 * M, "code", None),
    "late-at-tolerance": (15 * M, timedelta(0), "code", None),
    "late-by-a-microsecond": (15 * M + US, timedelta(0), "code", None),
    "left-at-tolerance": (timedelta(0), -15 * M, "code", None),
    "left-a-second-early": (timedelta(0), -15 * M - S, "code", None),
    "both-tolerances-used": (15 * M, -15 * M, "manual", None),
    "came-after-the-end": (181 * M, 10 * M, "manual", None),
    "left-before-the-start": (-20 * M, -190 * M, "manual", None),
    "platform-enough": (timedelta(0), timedelta(0), "platform", 150),
    "platform-a-minute-short": (timedelta(0), timedelta(0), "platform", 149),
    "platform-zero": (timedelta(0), timedelta(0), "platform", 0),
    "platform-more-than-length": (-5 * M, 5 * M, "platform", 400),
    "platform-late-but-long": (16 * M, timedelta(0), "platform", 180),
}


def _evidence(session, enrollment, live: LiveSession, case: str) -> None:
    spec = CASES[case]
    if spec is None:
        return
    check_in, check_out, source, minutes = spec
    session.add(
        Attendance(
            enrollment_id=enrollment.id,
            live_session_id=live.id,
            checked_in_at=live.starts_at + check_in if check_in is not None else None,
            checked_out_at=live.ends_at + check_out if check_out is not None else None,
            source=source,
            evidence_minutes=minutes,
        )
    )


def _python(session, offering_id: int, full: bool) -> set[int]:
    summaries = attendance_summaries(session, offering_id)
    return {e for e, s in summaries.items() if s.meets(full_attendance_required=full)}


def _agree(session, offering_id: int) -> set[int]:
    session.flush()
    for full in (True, False):
        sql = enrollments_meeting(session, offering_id, full_attendance_required=full)
        assert sql == _python(session, offering_id, full), f"full={full}"
    return enrollments_meeting_full_attendance(session, offering_id)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("status", ["active", "cancelled"])
def test_each_edge_case_agrees(session, case, status):
    offering = offering_make(session, sessions=ENDED)
    enrollment = enrollment_make(session, user_make(session), offering, status=status)
    first, second = offering.sessions
    _evidence(session, enrollment, first, case)
    _evidence(session, enrollment, second, "exact")
    met = _agree(session, offering.id)
    expected = status == "active" and case in {
        "exact",
        "early-in-late-out",
        "late-at-tolerance",
        "left-at-tolerance",
        "both-tolerances-used",
        "platform-enough",
        "platform-more-than-length",
    }
    assert met == ({enrollment.id} if expected else set())


@pytest.mark.parametrize(("late", "early"), [(15, 15), (0, 0), (10, 5), (90, 90)])
def test_a_varied_offering_agrees_under_every_policy(session, late, early):
    offering = offering_make(
        session,
        sessions=ENDED,
        late_tolerance_minutes=late,
        early_leave_tolerance_minutes=early,
    )
    first, second = offering.sessions
    pairs = list(itertools.product(CASES, repeat=2))[::3]  # a spread of both sessions
    for n, (one, two) in enumerate(pairs):
        status = "cancelled" if n % 7 == 3 else "active"
        enrollment = enrollment_make(session, user_make(session), offering, status=status)
        _evidence(session, enrollment, first, one)
        _evidence(session, enrollment, second, two)
    met = _agree(session, offering.id)
    assert 0 < len(met) < len(pairs)


def test_other_offerings_and_an_offering_without_sessions(session):
    offering = offering_make(session, sessions=ENDED)
    other = offering_make(session, sessions=ENDED)
    mine = enrollment_make(session, user_make(session), offering)
    theirs = enrollment_make(session, user_make(session), other)
    for enrollment, o in ((mine, offering), (theirs, other)):
        for live in o.sessions:
            _evidence(session, enrollment, live, "exact")
    assert _agree(session, offering.id) == {mine.id}
    empty = offering_make(session, sessions=[])
    enrollment_make(session, user_make(session), empty)
    assert _agree(session, empty.id) == set()


def test_instants_given_in_another_zone_are_compared_as_instants(session):
    offering = offering_make(session, sessions=ENDED, time_zone="Asia/Kolkata")
    on_time = enrollment_make(session, user_make(session), offering)
    late = enrollment_make(session, user_make(session), offering)
    berlin = ZoneInfo("Europe/Berlin")
    for enrollment, delay in ((on_time, 15 * M), (late, 15 * M + S)):
        for live in offering.sessions:
            session.add(
                Attendance(
                    enrollment_id=enrollment.id,
                    live_session_id=live.id,
                    checked_in_at=(live.starts_at + delay).astimezone(berlin),
                    checked_out_at=live.ends_at.astimezone(berlin),
                )
            )
    assert _agree(session, offering.id) == {on_time.id}
