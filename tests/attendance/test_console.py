from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.attendance.console import session_to_run, window_open
from portal.errors import PortalError
from portal.learning.home import offering_view
from portal.models import CodeWindow, utc_now
from tests.apptest import app_as, texts
from tests.factories import enrollment_make, offering_make, user_make

NOW = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 9:00 AM in Los Angeles


def _sessions(*starts: datetime) -> list[tuple[datetime, datetime]]:
    return [(s, s + timedelta(hours=3)) for s in starts]


def test_the_console_opens_on_the_session_live_now_among_all_offerings(session):
    past = offering_make(session, sessions=_sessions(datetime(2023, 5, 18, 16, tzinfo=UTC)))
    live = offering_make(
        session, sessions=_sessions(NOW - timedelta(minutes=20), NOW + timedelta(weeks=1))
    )
    views = [offering_view(past), offering_view(live)]
    assert session_to_run(views, NOW) == (1, 0)


def test_without_a_live_session_the_console_opens_on_the_next_one_today(session):
    later_week = offering_make(session, sessions=_sessions(NOW + timedelta(days=7)))
    today = offering_make(
        session, sessions=_sessions(NOW - timedelta(days=7), NOW + timedelta(hours=4))
    )
    views = [offering_view(later_week), offering_view(today)]
    assert session_to_run(views, NOW) == (1, 1)


def test_with_only_past_sessions_the_console_opens_on_the_first_offering(session):
    past = offering_make(session, sessions=_sessions(datetime(2023, 5, 18, 16, tzinfo=UTC)))
    assert session_to_run([offering_view(past)], NOW) == (0, 0)


@pytest.fixture
def far_session(session):
    instructor = user_make(session, role="instructor")
    offering = offering_make(
        session, sessions=_sessions(datetime(2023, 5, 18, 16, tzinfo=UTC)), instructors=[instructor]
    )
    session.commit()
    return instructor, offering.sessions[0]


def test_opening_a_session_far_from_now_is_refused_without_confirmation(session, far_session):
    instructor, live = far_session
    with pytest.raises(
        PortalError, match=r"Session 1 is on Thu, May 18, 2023, 9:00 AM – 12:00 PM PDT"
    ):
        window_open(
            session=session, user_id=instructor.id, live_session_id=live.id, kind="in", now=NOW
        )
    assert session.scalar(select(func.count()).select_from(CodeWindow)) == 0
    window_open(
        session=session, user_id=instructor.id, live_session_id=live.id, kind="in", now=NOW,
        confirmed=True,
    )  # fmt: skip
    assert session.scalar(select(func.count()).select_from(CodeWindow)) == 1


def test_opening_within_an_hour_of_the_session_needs_no_confirmation(session, far_session):
    instructor, live = far_session
    window_open(
        session=session, user_id=instructor.id, live_session_id=live.id, kind="in",
        now=live.starts_at - timedelta(minutes=50),
    )  # fmt: skip
    assert session.scalar(select(func.count()).select_from(CodeWindow)) == 1


def test_console_page_opens_on_the_live_session_and_confirms_a_far_one(app_env, session):
    instructor = user_make(session, role="instructor")
    offering_make(
        session, sessions=_sessions(datetime(2023, 5, 18, 16, tzinfo=UTC)), instructors=[instructor],
        label="May 2023",
    )  # fmt: skip
    now = utc_now()
    live = offering_make(
        session, sessions=_sessions(now - timedelta(minutes=5), now + timedelta(weeks=1)),
        instructors=[instructor], label="Live offering",
    )  # fmt: skip
    enrollment_make(session, user_make(session, full_name="Alex Rivera"), live)
    session.commit()
    at = app_as(instructor, "live_console.py")
    assert at.selectbox(key="console_offering").value.label == "Live offering"
    assert at.selectbox(key="console_session").value.title == "Session 1"

    at.selectbox(key="console_session").select_index(1).run()
    at.button(key="console_open_in").click().run()
    assert "Session 2 is on" in texts(at) and "Open check-in anyway?" in texts(at)
    assert session.scalar(select(func.count()).select_from(CodeWindow)) == 0
    session.rollback()
    at.button(key="console_confirm_yes").click().run()
    assert not at.exception
    assert session.scalar(select(func.count()).select_from(CodeWindow)) == 1
    assert "Check-in code" in texts(at) and "Scan to check in" in texts(at)
