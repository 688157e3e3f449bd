"""What Check in shows a participant: only their own evidence, the code windows of their own
live sessions, and the attendance rule of each active enrollment, oldest first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal import PROJECT_ROOT
from portal.attendance.mine import check_in_view
from portal.errors import NotFound
from portal.models import utc_now
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import attendance_make, window_make

CONTENT = PROJECT_ROOT / "content"


def _view(session, user):  # type: ignore[no-untyped-def]
    return check_in_view(session, user.id, utc_now(), content_dir=CONTENT)


def test_another_participants_evidence_and_requests_never_show(app_env, session):
    mine, theirs = user_make(session), user_make(session)
    offering = offering_make(session)
    enrollment_make(session, mine, offering)
    their_enrollment = enrollment_make(session, theirs, offering)
    attendance_make(session, their_enrollment, offering.sessions[0], checked_in_at=utc_now())
    session.commit()
    view = _view(session, mine)
    [live] = view.live_now
    assert live.checked_in_at is None
    [own] = view.offerings
    assert all(s.attendance.checked_in_at is None for s in own.sessions)
    assert all(s.enrollment_id == own.enrollment_id for s in own.sessions)


def test_open_windows_are_told_per_live_session(app_env, session):
    person = user_make(session)
    shown, quiet = offering_make(session, label="Shown"), offering_make(session, label="Quiet")
    for offering in (shown, quiet):
        enrollment_make(session, person, offering)
    window_make(session, shown.sessions[0], kind="in")
    window_make(session, shown.sessions[0], kind="out")
    # Another offering's open window (the person is not enrolled) changes nothing.
    window_make(session, offering_make(session).sessions[0], kind="in")
    session.commit()
    kinds = {live.offering_label: live.open_kinds for live in _view(session, person).live_now}
    assert kinds == {"Shown": ("in", "out"), "Quiet": ()}


def test_a_closed_window_is_not_open(app_env, session):
    person = user_make(session)
    offering = offering_make(session)
    enrollment_make(session, person, offering)
    window_make(session, offering.sessions[0], opens_at=utc_now() - timedelta(hours=1), minutes=5)
    session.commit()
    [live] = _view(session, person).live_now
    assert live.open_kinds == ()


def test_rules_of_active_enrollments_with_sessions_ahead_oldest_first(app_env, session):
    person = user_make(session)
    past = utc_now() - timedelta(weeks=2)
    offerings = {
        "First": "active",
        "Cancelled": "cancelled",
        "Second": "active",
    }
    for label, status in offerings.items():
        enrollment_make(session, person, offering_make(session, label=label), status=status)
    over = offering_make(session, label="Over", sessions=[(past, past + timedelta(hours=3))])
    enrollment_make(session, person, over)
    session.commit()
    view = _view(session, person)
    assert [rule.offering_label for rule in view.rules] == ["First", "Second"]
    # A cancelled enrollment shows its evidence but nothing live and no rule.
    assert {live.offering_label for live in view.live_now} == {"First", "Second"}
    assert {o.offering_label for o in view.offerings} == {"First", "Cancelled", "Second", "Over"}


@pytest.mark.parametrize(
    "license_fields",
    [{"profession": "other"}, {"profession": "rn", "license_number": None, "state": None}],
    ids=["no license", "nurse without a license number"],
)
def test_a_person_without_a_credit_license_is_still_told_the_attendance_rule(
    app_env, session, license_fields
):
    """The attendance certificate (any profession) has a rule too: 5 minutes in this course."""
    person = user_make(session, **license_fields)
    enrollment_make(session, person, offering_make(session))
    session.commit()
    view = _view(session, person)
    assert [rule.missed_minutes for rule in view.rules] == [5]
    assert len(view.live_now) == 1


def test_an_unknown_person_is_refused(app_env, session):
    with pytest.raises(NotFound):
        check_in_view(session, 999_999, utc_now(), content_dir=CONTENT)
