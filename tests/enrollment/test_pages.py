"""Every page of this capability under every role, and the main interactions."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from portal import PROJECT_ROOT
from portal.models import User
from tests.apptest import app_as, texts
from tests.apptest import page_alone as page_as
from tests.factories import enrollment_make, offering_make, user_make

ADMIN_PAGES = {
    "admin_people.py": "People",
    "admin_person.py": "Person record",
    "admin_import.py": "Roster import",
    "admin_offerings.py": "Offerings",
    "admin_payments.py": "Payments and refunds",
    "admin_audit.py": "Audit log",
    "admin_records.py": "Records",
    "admin_outbox.py": "Outbox",
}
REFUSED = "This page is not available to your role."


def no_exception(at: AppTest, user: User | None) -> bool:
    """No exception; bare signed-out runs may only fail on the sign-in link (no st.navigation)."""
    if user is None:
        return all("Could not find page: `streamlit_app.py`" in e.message for e in at.exception)
    return not at.exception


def open_page(user: User | None, page: str, allowed: set[str]) -> AppTest:
    """Through the menu when the role has the page, directly otherwise."""
    role = user.role if user else "anonymous"
    return app_as(user, page) if role in allowed else page_as(user, page)


@pytest.mark.parametrize("page", sorted(ADMIN_PAGES))
@pytest.mark.parametrize("role", ["participant", "instructor", "admin", None])
def test_admin_pages_by_role(app_env, session, page, role):
    participant = user_make(session)
    enrollment_make(session, participant, offering_make(session))
    user = user_make(session, role=role) if role else None
    session.commit()
    at = open_page(user, page, {"admin"})
    assert no_exception(at, user), at.exception
    shown = texts(at)
    if role == "admin":
        assert ADMIN_PAGES[page] in shown and REFUSED not in shown
    elif role is None:
        assert "Please sign in" in shown
    else:
        assert REFUSED in shown and ADMIN_PAGES[page] not in [t.value for t in at.title]


@pytest.mark.parametrize("role", ["participant", "instructor", "admin", None])
def test_enroll_page_by_role(app_env, session, role):
    offering_make(session, label="Spring cohort")
    user = user_make(session, role=role) if role else None
    session.commit()
    at = open_page(user, "enroll.py", {"participant"})
    assert no_exception(at, user), at.exception
    shown = texts(at)
    if role == "participant":
        assert "Spring cohort" in shown and "your fee today: $225.00" in shown
    elif role is None:
        assert "Please sign in" in shown
    else:
        assert REFUSED in shown


def test_enroll_page_tells_how_to_pay_and_whom_to_ask(app_env, session):
    user = user_make(session)
    enrollment_make(session, user, offering_make(session, label="Spring cohort"))
    session.commit()
    shown = texts(app_as(user, "enroll.py"))
    assert "you owe $225.00" in shown
    assert "How to pay:" in shown and "Pay by card over the phone" in shown
    assert "ce-office@example.org" in shown and "(858) 555-0142" in shown


def test_home_links_to_enrollment_when_not_enrolled(app_env, session):
    user = user_make(session)
    session.commit()
    at = app_as(user, "participant_home.py")
    assert "You are not enrolled in an offering yet." in texts(at)
    links = [(link.label, link.proto.page) for link in at.get("page_link")]
    assert any(label == "Enroll in an offering" and "enroll" in page for label, page in links)


def test_home_shows_check_in_now_and_how_to_pay_during_a_live_session(app_env, session):
    user = user_make(session)
    enrollment_make(session, user, offering_make(session))
    session.commit()
    at = app_as(user, "participant_home.py")
    assert not at.exception
    assert "Session 1 is live now" in texts(at)
    labels = [link.label for link in at.get("page_link")]
    assert labels[0] == "Check in now"
    assert "Open Check in" in labels
    assert "How to pay:" in texts(at)


@pytest.mark.parametrize("role", ["participant", "instructor", "admin", None])
def test_set_password_page_without_token(app_env, session, role):
    user = user_make(session, role=role) if role else None
    session.commit()
    at = app_as(user, "set_password.py")
    assert not at.exception, at.exception
    assert "This link is invalid" in texts(at)
    assert not at.get("page_link")  # a page link to the entry script fails in a browser
    assert any("[Go to sign in](/)" in m.value for m in at.markdown)


@pytest.mark.parametrize("token", ["x", "not-a-token-" + "a" * 40])
def test_set_password_page_with_a_bad_token(app_env, session, token):
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "set_password.py"), default_timeout=60)
    at.query_params["token"] = token
    at.run()
    assert not at.exception, at.exception
    assert "This link is invalid" in texts(at)
    assert any("[Go to sign in](/)" in m.value for m in at.markdown)
