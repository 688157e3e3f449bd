from datetime import UTC, datetime, timedelta

import pytest

from portal.attendance.status import attendance_summaries, attendance_summary, meets_credit_type
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import attendance_full, attendance_make

START = datetime(2023, 5, 18, 16, 0, tzinfo=UTC)
SESSIONS = [
    (START, START + timedelta(hours=3)),
    (START + timedelta(weeks=1), START + timedelta(weeks=1, hours=3)),
]


@pytest.fixture
def enrolled(session):
    offering = offering_make(session, sessions=SESSIONS)
    enrollment = enrollment_make(session, user_make(session), offering)
    return offering, enrollment


def test_full_attendance_is_present_and_meets_every_rule(session, enrolled):
    offering, enrollment = enrolled
    attendance_full(session, enrollment, offering)
    summary = attendance_summary(session, enrollment.id)
    assert summary.status == "present"
    assert summary.credited_minutes == 360
    assert summary.meets(full_attendance_required=True)


def test_no_evidence_is_absent(session, enrolled):
    summary = attendance_summary(session, enrolled[1].id)
    assert summary.status == "absent"
    assert not summary.meets(full_attendance_required=False)


def test_missing_one_session_is_partial_and_fails_full_attendance(session, enrolled):
    offering, enrollment = enrolled
    attendance_make(session, enrollment, offering.sessions[0])
    summary = attendance_summary(session, enrollment.id)
    assert summary.status == "partial"
    assert not summary.meets(full_attendance_required=True)
    assert summary.meets(full_attendance_required=False)
    assert summary.credited_minutes == 180


@pytest.mark.parametrize(
    ("late", "early", "expected"),
    [
        (5, 0, "present"),
        (0, 5, "present"),
        (2, 3, "present"),
        (3, 3, "partial"),
        (6, 0, "partial"),
        (15, 15, "partial"),
    ],
)
def test_tolerance_counts_late_arrival_and_early_leave_together(
    session, enrolled, late, early, expected
):
    # The course file tolerates 5 minutes missed per session, late and early together.
    offering, enrollment = enrolled
    for live in offering.sessions:
        attendance_make(
            session,
            enrollment,
            live,
            checked_in_at=live.starts_at + timedelta(minutes=late),
            checked_out_at=live.ends_at - timedelta(minutes=early),
        )
    assert attendance_summary(session, enrollment.id).status == expected


def test_check_in_without_check_out_is_partial(session, enrolled):
    offering, enrollment = enrolled
    for live in offering.sessions:
        row = attendance_make(session, enrollment, live)
        row.checked_out_at = None
    session.flush()
    summary = attendance_summary(session, enrollment.id)
    assert {s.status for s in summary.sessions} == {"partial"}


def test_cancelled_enrollment_never_meets(session, enrolled):
    offering, enrollment = enrolled
    attendance_full(session, enrollment, offering)
    enrollment.status = "cancelled"
    session.flush()
    assert not attendance_summary(session, enrollment.id).meets(full_attendance_required=True)


def test_minutes_attended_count_only_within_the_session(session, enrolled):
    offering, enrollment = enrolled
    live = offering.sessions[0]
    attendance_make(
        session,
        enrollment,
        live,
        checked_in_at=live.starts_at - timedelta(minutes=20),
        checked_out_at=live.ends_at - timedelta(minutes=30),
    )
    assert attendance_summary(session, enrollment.id).sessions[0].minutes_attended == 150


def test_summaries_cover_every_enrollment_of_the_offering(session, enrolled):
    offering, enrollment = enrolled
    other = enrollment_make(session, user_make(session), offering)
    attendance_full(session, other, offering)
    summaries = attendance_summaries(session, offering.id)
    assert summaries[enrollment.id].status == "absent"
    assert summaries[other.id].status == "present"


def test_platform_minutes_with_a_long_gap_are_partial(session, enrolled):
    offering, enrollment = enrolled
    live = offering.sessions[0]
    row = attendance_make(session, enrollment, live, source="platform")
    row.evidence_minutes = 120  # joined at the start, left for an hour, back for the end
    session.flush()
    first = attendance_summary(session, enrollment.id).sessions[0]
    assert (first.status, first.minutes_attended) == ("partial", 120)


def test_minutes_are_instructional_minutes_when_the_session_has_breaks(session):
    start = START
    offering = offering_make(
        session, sessions=[(start, start + timedelta(hours=4))], instructional_minutes=180
    )
    enrollment = enrollment_make(session, user_make(session), offering)
    live = offering.sessions[0]
    attendance_make(session, enrollment, live, checked_out_at=live.ends_at - timedelta(hours=2))
    assert attendance_summary(session, enrollment.id).sessions[0].minutes_attended == 90


@pytest.mark.parametrize(("credit_type_id", "expected"), [("BRN", False), ("ATTENDANCE", False)])
def test_credit_types_requiring_full_attendance_give_no_partial_credit(
    session, enrolled, course, credit_type_id, expected
):
    offering, enrollment = enrolled
    attendance_make(session, enrollment, offering.sessions[0])
    summary = attendance_summary(session, enrollment.id)
    assert meets_credit_type(summary, course.credit_type(credit_type_id)) is expected
    partial_ok = course.credit_type("BRN").model_copy(update={"full_attendance_required": False})
    assert meets_credit_type(summary, partial_ok)
