from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from portal.attendance.codes import current_code
from portal.models import Attendance, CodeWindow, CorrectionRequest, utc_now
from tests.apptest import ENTRY, app_as, page_alone, texts
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import attendance_make, window_make

REFUSED = "This page is not available to your role."


def _clock(instant, offering):
    """The wall-clock time of an instant in the offering's zone, as typed on the page."""
    return instant.astimezone(ZoneInfo(offering.time_zone)).time()


@pytest.fixture
def world(session):
    instructor = user_make(session, role="instructor", full_name="Ira Instructor")
    offering = offering_make(session, instructors=[instructor])
    participant = user_make(session, full_name="Alex Rivera")
    enrollment = enrollment_make(session, participant, offering)
    session.commit()
    return instructor, offering, participant, enrollment


@pytest.mark.parametrize(
    ("page", "allowed"),
    [
        ("check_in.py", {"participant"}),
        ("live_console.py", {"instructor", "admin"}),
        ("attendance_manage.py", {"instructor", "admin"}),
    ],
)
def test_pages_check_the_role(app_env, session, page, allowed):
    for role in ("participant", "instructor", "admin"):
        user = user_make(session, role=role)
        session.commit()
        at = app_as(user, page) if role in allowed else page_alone(user, page)
        assert not at.exception
        assert (REFUSED in texts(at)) is (role not in allowed), (page, role)
    at = page_alone(None, page)
    assert "Please sign in" in texts(at)


def test_the_qr_link_checks_a_signed_in_person_in_on_opening(app_env, session, world):
    _, offering, participant, _ = world
    window = window_make(session, offering.sessions[0])
    session.commit()
    code = current_code(window, utc_now()).code
    at = app_as(participant)
    at.query_params["code"] = code
    at.switch_page("pages/check_in.py").run()
    assert not at.exception
    assert "You checked in to Session 1." in texts(at)
    assert session.scalar(select(Attendance.source)) == "code"
    session.rollback()  # SQLite: the read's transaction would hold up the reload's writes
    # The code leaves the address: a reload records nothing more and says nothing twice.
    assert "code" not in at.query_params
    at.run()
    assert not at.exception
    assert "Live now" in texts(at)
    assert "You checked in" not in texts(at)
    assert "You already checked in" not in texts(at)
    assert len(session.scalars(select(Attendance.id)).all()) == 1


def test_the_qr_link_with_a_stale_code_says_so_beside_the_field(app_env, session, world):
    _, offering, participant, _ = world
    window_make(session, offering.sessions[0])
    session.commit()
    at = app_as(participant)
    at.query_params["code"] = "WRONG9"
    at.switch_page("pages/check_in.py").run()
    assert "That code is not right" in texts(at)
    assert at.text_input(key="checkin_code").value == "WRONG9"
    assert session.scalar(select(Attendance.id)) is None


def test_check_in_page_refuses_a_wrong_code(app_env, session, world):
    _, offering, participant, _ = world
    window_make(session, offering.sessions[0])
    session.commit()
    at = app_as(participant, "check_in.py")
    at.text_input(key="checkin_code").input("WRONG9")
    at.button(key="checkin_submit").click().run()
    assert "That code is not right" in texts(at)
    assert session.scalar(select(Attendance.id)) is None


def _correction_page(participant, enrollment_id: int | str) -> AppTest:
    """The request page as Check in's link opens it, for this enrollment."""
    at = app_as(participant)
    at.query_params["enrollment"] = str(enrollment_id)
    at.switch_page("pages/attendance_correction.py")
    return at.run()


def test_check_in_links_each_active_enrollment_to_its_correction_request(app_env, session, world):
    _, _, participant, enrollment = world
    at = app_as(participant, "check_in.py")
    links = at.get("page_link")
    assert [link.proto.label for link in links] == ["Request a correction"]
    assert links[0].proto.query_string == f"enrollment={enrollment.id}"
    assert links[0].proto.page == "attendance_correction"
    assert not at.text_area, "the request form is on its own page, not built on every run"


def test_participant_requests_a_correction(app_env, session, world):
    _, _, participant, enrollment = world
    at = _correction_page(participant, enrollment.id)
    form = f"correction_{enrollment.id}"
    at.text_area(key=f"{form}_note").input("My internet dropped")
    at.button(key=f"{form}_send").click().run()
    assert not at.exception
    assert "Your request was sent" in texts(at)
    assert any(m.value.startswith("# Check in") for m in at.markdown)  # back on Check in
    request = session.scalars(select(CorrectionRequest)).one()
    assert (request.enrollment_id, request.note) == (enrollment.id, "My internet dropped")


def test_sending_the_same_correction_twice_keeps_one_request(app_env, session, world):
    _, _, participant, enrollment = world
    form = f"correction_{enrollment.id}"
    for _ in range(2):  # the double click, or the back button and Send again
        at = _correction_page(participant, enrollment.id)
        at.text_area(key=f"{form}_note").input("My internet dropped")
        at.button(key=f"{form}_send").click().run()
        assert not at.exception
    assert "You already have a request for this session waiting" in texts(at)
    session.rollback()
    assert len(session.scalars(select(CorrectionRequest.id)).all()) == 1


@pytest.mark.parametrize("typed", ["", "abc", "-1", "99999"])
def test_a_typed_enrollment_that_is_not_the_persons_opens_no_form(app_env, session, world, typed):
    _, _, participant, _ = world
    at = _correction_page(participant, typed)
    assert not at.exception
    assert "Open this page from Check in" in texts(at)
    assert not at.text_area


def test_a_correction_request_without_a_note_is_refused_beside_the_field(app_env, session, world):
    _, _, participant, enrollment = world
    at = _correction_page(participant, enrollment.id)
    at.button(key=f"correction_{enrollment.id}_send").click().run()
    assert not at.exception
    assert "Tell the instructor what happened." in texts(at)
    assert session.scalar(select(CorrectionRequest.id)) is None


def test_another_participants_enrollment_opens_no_request_form(app_env, session, world):
    _, offering, _, enrollment = world
    other = user_make(session, full_name="Sam Other")
    enrollment_make(session, other, offering)
    session.commit()
    at = _correction_page(other, enrollment.id)  # Alex's enrollment, in Sam's browser
    assert not at.exception
    assert "Open this page from Check in" in texts(at)
    assert not at.text_area
    assert "Alex" not in texts(at)


def test_console_opens_check_in_and_shows_code_and_roster(app_env, session, world):
    instructor, _, _, _ = world
    at = app_as(instructor, "live_console.py")
    assert "No code is shown" in texts(at)
    at.button(key="console_open_in").click().run()
    assert not at.exception
    window = session.scalars(select(CodeWindow)).one()
    code = current_code(window, utc_now()).code
    session.rollback()  # SQLite: a reading test session would hold the write lock
    assert f"{code[:3]} {code[3:]}" in texts(at)
    assert "New check-in code in" in texts(at)
    assert "Scan to check in" in texts(at)
    assert "Alex Rivera" in set(at.dataframe[0].value["Name"])
    at.button(key="console_close_in").click().run()
    assert "No code is shown" in texts(at)
    at.button(key="console_open_out").click().run()
    assert "Check-out code" in texts(at) and "Scan to check out" in texts(at)
    assert "Scan to check in" not in texts(at)
    assert "The check-out window closes" in texts(at)


def test_unassigned_instructor_sees_no_offering(app_env, session, world):
    stranger = user_make(session, role="instructor")
    session.commit()
    at = app_as(stranger, "live_console.py")
    assert "not assigned" in texts(at)


def test_manage_page_marks_with_a_reason_under_each_staff_role(app_env, session, world):
    instructor, offering, _, enrollment = world
    admin = user_make(session, role="admin")
    attendance_make(
        session,
        enrollment,
        offering.sessions[0],
        checked_out_at=offering.sessions[0].ends_at - timedelta(hours=1),
    )
    session.commit()
    for user in (instructor, admin):
        at = app_as(user, "attendance_manage.py")
        assert not at.exception
        assert "Alex Rivera" in str(at.dataframe[0].value)
        at.button(key="mark_save").click().run()
        assert "Give the reason" in texts(at)
    at.text_input(key="mark_reason").input("Zoom report shows her present")
    at.time_input(key="mark_in").set_value(_clock(offering.sessions[0].starts_at, offering))
    at.button(key="mark_save").click().run()
    assert not at.exception
    assert "saved" in texts(at)


def test_early_check_out_asks_before_it_is_recorded(app_env, session, world):
    _, offering, participant, enrollment = world
    live = offering.sessions[0]
    attendance_make(session, enrollment, live).checked_out_at = None
    window = window_make(session, live, kind="out")
    session.commit()
    at = app_as(participant, "check_in.py")
    at.text_input(key="checkin_code").input(current_code(window, utc_now()).code)
    at.button(key="checkin_submit").click().run()
    assert "Leaving now means this session will not count for credit" in texts(at)
    assert [w.value for w in at.warning if "Leaving now" in w.value]
    assert not at.success
    assert session.scalar(select(Attendance.checked_out_at)) is None
    session.rollback()

    at.button(key="checkin_stay").click().run()
    assert "Nothing was recorded" in texts(at)
    assert session.scalar(select(Attendance.checked_out_at)) is None
    session.rollback()

    at.button(key="checkin_submit").click().run()
    at.button(key="checkin_leave").click().run()
    assert not at.exception
    assert "You checked out of Session 1" in texts(at)
    assert [w.value for w in at.warning if "does not count for credit" in w.value]
    assert not at.success
    assert session.scalar(select(Attendance.checked_out_at)) is not None


def test_manage_page_refuses_marking_a_session_that_has_not_started(app_env, session, world):
    instructor, offering, _, _ = world
    at = app_as(instructor, "attendance_manage.py")
    later = offering.sessions[1]
    at.selectbox(key="mark_session").set_value(later).run()
    at.text_input(key="mark_reason").input("She said she will come")
    at.time_input(key="mark_in").set_value(_clock(later.starts_at, offering))
    at.button(key="mark_save").click().run()
    assert not at.exception
    assert "Session 2 has not started yet" in texts(at)
    assert session.scalar(select(Attendance.id)) is None


def test_the_qr_link_reaches_check_in_when_another_page_opened_first(app_env, session, world):
    # The entry script sent the person to their default page (Home): the code goes on to
    # Check in and checks them in, in the same visit.
    _, offering, participant, _ = world
    window = window_make(session, offering.sessions[0])
    session.commit()
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = participant.username
    at.session_state["signed_in_at"] = utc_now()
    at.query_params["code"] = current_code(window, utc_now()).code
    at.run()
    assert not at.exception
    assert "You checked in to Session 1." in texts(at)
    assert session.scalar(select(Attendance.source)) == "code"


def test_check_in_and_home_state_the_attendance_rule_before_the_session(app_env, session, world):
    _, _, participant, _ = world
    rule = "arrive on time and stay to the end: more than 5 minutes missed in a session"
    for page in ("check_in.py", "participant_home.py"):
        at = app_as(participant, page)
        assert not at.exception
        assert rule in texts(at), page
        assert "means no credit for this course" in texts(at)
