"""The Live console refreshes counts and what changed, not the whole roster."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.attendance.roster import LiveChange, feed_merge, live_feed, live_people
from portal.errors import NotAllowed
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import attendance_make

T0 = datetime(2026, 5, 18, 16, 0, tzinfo=UTC)


def _change(enrollment_id: int, minute: int, out: bool = False) -> LiveChange:
    at = T0 + timedelta(minutes=minute)
    return LiveChange(enrollment_id, f"P{enrollment_id}", T0, at if out else None, at)


def test_merge_puts_the_newest_first_and_each_person_once():
    shown = (_change(1, 2), _change(2, 1))
    merged = feed_merge(shown, (_change(3, 3), _change(1, 4, out=True)))
    assert [(c.enrollment_id, c.checked_out_at is not None) for c in merged] == [
        (1, True),
        (3, False),
        (2, False),
    ]


def test_merge_keeps_a_bounded_list():
    merged = feed_merge((), tuple(_change(n, n) for n in range(40)), keep=15)
    assert [c.enrollment_id for c in merged] == list(range(39, 24, -1))


def test_merge_without_changes_keeps_what_is_shown():
    shown = (_change(1, 2),)
    assert feed_merge(shown, ()) == shown


@pytest.fixture
def room(session):
    instructor = user_make(session, role="instructor")
    offering = offering_make(session, instructors=[instructor])
    live = offering.sessions[0]
    enrollments = [
        enrollment_make(session, user_make(session, full_name=f"Person {n:02d}"), offering)
        for n in range(30)
    ]
    session.commit()
    return instructor, live, enrollments


def test_a_refresh_sends_only_what_changed_since_the_last(session, room):
    instructor, live, enrollments = room
    first = live_feed(session, instructor.id, live.id)
    assert (first.counts.enrolled, first.counts.checked_in, first.changes) == (30, 0, ())
    for n, enrollment in enumerate(enrollments[:20]):
        row = attendance_make(session, enrollment, live, checked_out_at=None)
        row.updated_at = T0 + timedelta(seconds=n)
    session.commit()
    second = live_feed(session, instructor.id, live.id, since=first.as_of)
    assert second.counts.checked_in == 20 and second.counts.missing == 10
    assert len(second.changes) == 15  # the latest few, never the whole room
    assert second.changes[0].name == "Person 19"
    third = live_feed(session, instructor.id, live.id, since=second.as_of)
    assert third.changes == () and third.as_of == second.as_of
    missing = live_people(session, instructor.id, live.id, missing_only=True, limit=5)
    assert [p.name for p in missing] == [f"Person {n}" for n in range(20, 25)]


def test_the_feed_is_for_staff_of_the_offering(session, room):
    _, live, _ = room
    with pytest.raises(NotAllowed):
        live_feed(session, user_make(session, role="instructor").id, live.id)
