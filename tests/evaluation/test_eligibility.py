from datetime import UTC, date, datetime, timedelta

import pytest

from portal.evaluation import eligibility
from portal.evaluation.eligibility import evaluation_checklist, evaluation_state
from tests.factories import enrollment_make, user_make
from tests.factories_attendance import attendance_make
from tests.factories_evaluation import AFTER, ENDED, attendee_make, ended_offering


def test_waiting_until_the_last_session_ends(session):
    offering = ended_offering(session)
    enrollment = attendee_make(session, offering)
    state = evaluation_state(session, enrollment.id, now=ENDED[1][1] - timedelta(minutes=1))
    assert state.state == "waiting"
    assert "opens when the last session ends, Thu, May 25, 2023, 12:00 PM PDT" in state.message
    assert "every session in full" in state.message
    assert evaluation_state(session, enrollment.id, now=ENDED[1][1]).state == "open"


def test_partial_attendance_is_told_why(session):
    offering = ended_offering(session)
    enrollment = enrollment_make(session, user_make(session), offering)
    attendance_make(session, enrollment, offering.sessions[0])
    state = evaluation_state(session, enrollment.id, now=AFTER)
    assert state.state == "not_eligible"
    assert "Session 1: present, Session 2: absent" in state.message


def test_deadline_is_the_end_of_its_day_in_the_offerings_zone(session):
    offering = ended_offering(session, evaluation_deadline=date(2023, 6, 30))
    enrollment = attendee_make(session, offering)
    # Midnight at the end of June 30 in Los Angeles is 07:00 UTC on July 1.
    last_open = datetime(2023, 7, 1, 6, 59, tzinfo=UTC)
    assert evaluation_state(session, enrollment.id, now=last_open).state == "open"
    closed = evaluation_state(session, enrollment.id, now=last_open + timedelta(minutes=1))
    assert closed.state == "closed"
    assert "closed at the end of June 30, 2023 (America/Los_Angeles)" in closed.message


def test_cancelled_enrollment_has_no_evaluation(session):
    offering = ended_offering(session)
    enrollment = attendee_make(session, offering)
    enrollment.status = "cancelled"
    session.flush()
    assert evaluation_state(session, enrollment.id, now=AFTER).state == "unavailable"
    assert evaluation_checklist(session, enrollment.id) == []


@pytest.fixture
def at_checkout(monkeypatch, course):
    changed = course.model_copy(
        update={"evaluation": course.evaluation.model_copy(update={"open_at": "at_last_checkout"})}
    )
    monkeypatch.setattr(eligibility, "offering_course", lambda session, offering_id: changed)


def test_setting_opens_it_at_check_out_of_the_last_session(session, at_checkout):
    offering = ended_offering(session)
    enrollment = enrollment_make(session, user_make(session), offering)
    first, last = offering.sessions
    attendance_make(session, enrollment, first)
    checkout = last.ends_at - timedelta(minutes=5)  # within the 5 minutes tolerated
    before = evaluation_state(session, enrollment.id, now=checkout - timedelta(hours=1))
    assert before.state == "waiting" and "check out of the last session" in before.message
    attendance_make(session, enrollment, last, checked_out_at=checkout)
    assert (
        evaluation_state(session, enrollment.id, now=checkout - timedelta(minutes=1)).state
        == "waiting"
    )
    assert evaluation_state(session, enrollment.id, now=checkout).state == "open"


def test_checklist_follows_the_state(session, monkeypatch):
    offering = ended_offering(session)
    enrollment = attendee_make(session, offering)
    monkeypatch.setattr(eligibility, "utc_now", lambda: AFTER)
    [item] = evaluation_checklist(session, enrollment.id)
    assert (item.label, item.status, item.page) == (
        "Course evaluation",
        "todo",
        "pages/evaluation.py",
    )
    monkeypatch.setattr(eligibility, "utc_now", lambda: ENDED[0][0])
    [item] = evaluation_checklist(session, enrollment.id)
    assert item.status == "waiting" and item.page is None
