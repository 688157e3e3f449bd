"""enrollments_meeting (SQL) agrees with session_status / AttendanceSummary.meets (Python) on
every edge of the rule: tolerances to the microsecond, missing check-out, platform evidence
minutes, cancelled enrollments, other policies."""

from __future__ import annotations

import itertools
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.attendance.status import (
    Policy,
    attendance_summaries,
    enrollments_meeting,
    enrollments_meeting_full_attendance,
)
from portal.models import Attendance, LiveSession
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_evaluation import ENDED

M, S, US = timedelta(minutes=1), timedelta(seconds=1), timedelta(microseconds=1)

# name: (check-in offset from start, check-out offset from end, source, evidence minutes);
# offsets None mean "not recorded"; "none" has no row at all. Sessions are 3 hours long and
# the course's rule tolerates 5 minutes missed per session (late, early and gaps together).
CASES: dict[str, tuple | None] = {
    "none": None,
    "in-only": (timedelta(0), None, "code", None),
    "out-only": (None, timedelta(0), "manual", None),
    "exact": (timedelta(0), timedelta(0), "code", None),
    "early-in-late-out": (-30 * M, 30 * M, "code", None),
    "late-at-tolerance": (5 * M, timedelta(0), "code", None),
    "late-by-a-microsecond": (5 * M + US, timedelta(0), "code", None),
    "left-at-tolerance": (timedelta(0), -5 * M, "code", None),
    "left-a-microsecond-early": (timedelta(0), -5 * M - US, "code", None),
    "late-and-early-within": (2 * M, -3 * M, "manual", None),
    "late-and-early-a-microsecond-over": (2 * M, -3 * M - US, "manual", None),
    "fifteen-late-fifteen-early": (15 * M, -15 * M, "manual", None),
    "came-after-the-end": (181 * M, 10 * M, "manual", None),
    "left-before-the-start": (-20 * M, -190 * M, "manual", None),
    "platform-enough": (timedelta(0), timedelta(0), "platform", 175),
    "platform-a-minute-short": (timedelta(0), timedelta(0), "platform", 174),
    "platform-zero": (timedelta(0), timedelta(0), "platform", 0),
    "platform-more-than-length": (-5 * M, 5 * M, "platform", 400),
    "platform-late-but-long": (6 * M, timedelta(0), "platform", 180),
}
PRESENT = {
    "exact",
    "early-in-late-out",
    "late-at-tolerance",
    "left-at-tolerance",
    "late-and-early-within",
    "platform-enough",
    "platform-more-than-length",
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


def _python(session, offering_id: int, full: bool, policy: Policy | None) -> set[int]:
    summaries = attendance_summaries(session, offering_id, policy)
    return {e for e, s in summaries.items() if s.meets(full_attendance_required=full)}


def _agree(session, offering_id: int, policy: Policy | None = None) -> set[int]:
    session.flush()
    for full in (True, False):
        sql = enrollments_meeting(
            session, offering_id, full_attendance_required=full, policy=policy
        )
        assert sql == _python(session, offering_id, full, policy), f"full={full}"
    if policy is not None:
        return enrollments_meeting(
            session, offering_id, full_attendance_required=True, policy=policy
        )
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
    expected = status == "active" and case in PRESENT
    assert met == ({enrollment.id} if expected else set())


@pytest.mark.parametrize("missed", [5, 0, 15, 90])
def test_a_varied_offering_agrees_under_every_policy(session, missed):
    policy = Policy(missed)
    offering = offering_make(session, sessions=ENDED)
    first, second = offering.sessions
    pairs = list(itertools.product(CASES, repeat=2))[::3]  # a spread of both sessions
    for n, (one, two) in enumerate(pairs):
        status = "cancelled" if n % 7 == 3 else "active"
        enrollment = enrollment_make(session, user_make(session), offering, status=status)
        _evidence(session, enrollment, first, one)
        _evidence(session, enrollment, second, two)
    met = _agree(session, offering.id, policy)
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
    for enrollment, delay in ((on_time, 5 * M), (late, 5 * M + S)):
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
