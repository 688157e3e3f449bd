import re

from sqlalchemy import select

from portal.models import License, User
from tests.apptest import app_as, texts
from tests.factories import enrollment_make, offering_make, user_make


def test_profile_changes_the_name_printed_on_certificates(app_env, session, factory):
    user = user_make(session, full_name="Pat Jones")
    session.commit()
    at = app_as(user, "profile.py")
    at.text_input(key="profile_full_name").input("Patricia Jones-Nguyễn")
    next(b for b in at.button if b.label == "Save name and email").click()
    at.run()
    assert not at.exception
    with factory() as check:
        assert check.get(User, user.id).full_name == "Patricia Jones-Nguyễn"


def test_adding_a_nurse_license_without_a_number_is_refused_beside_the_field(
    app_env, session, factory
):
    user = user_make(session)
    session.commit()
    at = app_as(user, "profile.py")
    at.selectbox(key="license_profession").select("rn")
    at.selectbox(key="license_state").select("CA")
    next(b for b in at.button if b.label == "Save license").click()
    at.run()
    assert "Enter your license number." in texts(at)
    with factory() as check:
        assert check.scalar(select(License.profession).where(License.profession == "rn")) is None


def test_a_wrong_current_password_is_refused(app_env, session):
    user = user_make(session)
    session.commit()
    at = app_as(user, "profile.py")
    at.text_input(key="password_current").input("not my password")
    at.text_input(key="password_new").input("a new long password")
    at.text_input(key="password_repeat").input("a new long password")
    next(b for b in at.button if b.label == "Change password").click()
    at.run()
    assert "This is not your current password." in texts(at)


def test_home_shows_the_offering_schedule_in_its_zone_and_a_calendar_file(app_env, session):
    user = user_make(session, full_name="Pat Jones")
    enrollment_make(session, user, offering_make(session))
    session.commit()
    at = app_as(user, "participant_home.py")
    assert "Welcome, Pat Jones" in texts(at)
    shown = texts(at)
    assert "**Schedule** (times in America/Los_Angeles)" in shown
    assert re.search(
        r"Session 1\*\*: \w{3}, \w{3} \d+, \d{4}, .* P[DS]T \(your time: .* UTC\)", shown
    )
    assert any("calendar" in b.proto.label for b in at.get("download_button"))


def test_home_shows_only_the_persons_own_enrollments(app_env, session):
    mine, theirs = user_make(session), user_make(session)
    enrollment_make(session, theirs, offering_make(session, label="Someone else's cohort"))
    session.commit()
    shown = texts(app_as(mine, "participant_home.py"))
    assert "not enrolled" in shown and "Someone else" not in shown


def test_course_page_shows_objectives_modules_and_practices(app_env, session, course):
    user = user_make(session)
    enrollment_make(session, user, offering_make(session))
    session.commit()
    at = app_as(user, "course.py")
    shown = texts(at)
    assert course.title in shown
    assert all(objective in shown for objective in course.objectives)
    labels = [e.label for e in at.expander]
    assert any(course.modules[0].title in label for label in labels)
    assert all(p.title in shown for p in course.practices)


def test_course_page_waits_for_an_enrollment(app_env, session):
    user = user_make(session)
    session.commit()
    at = app_as(user, "course.py")
    assert "opens once you are enrolled" in texts(at)
    assert [t.value for t in at.title] == ["Course"]  # the page has its heading all the same
    assert [link.proto.page for link in at.get("page_link")] == ["enroll"]  # Enrollment and fees
