from sqlalchemy import select

from portal.models import User
from tests.apptest import app_as, texts


def _fill(at, username: str) -> None:
    at.text_input(key="register_full_name").input("Zoë Nguyễn-Ångström")
    at.text_input(key="register_email").input(f"{username}@example.org")
    at.text_input(key="register_username").input(username)
    at.text_input(key="register_password").input("a long pass phrase")
    at.text_input(key="register_password_repeat").input("a long pass phrase")
    at.selectbox(key="register_profession").set_value("lmft")
    at.text_input(key="register_license_number").input("LMFT 98765")
    at.selectbox(key="register_license_state").set_value("CA")


def test_registration_creates_the_account_and_signs_in(app_env, session):
    at = app_as(None, "register.py")
    _fill(at, "zoe")
    at.button[0].click().run()  # the form's "Create account"
    assert not at.exception, at.exception
    assert at.session_state["authentication_status"] is True
    assert at.session_state["username"] == "zoe"
    user = session.scalar(select(User).where(User.username == "zoe"))
    assert user is not None and user.full_name == "Zoë Nguyễn-Ångström"


def test_registration_refuses_a_taken_username(app_env, session):
    for attempt in range(2):
        at = app_as(None, "register.py")
        _fill(at, "zoe")
        at.text_input(key="register_email").input(f"zoe{attempt}@example.org")
        at.button[0].click().run()
        assert not at.exception, at.exception
    assert "This username is taken" in texts(at)
    assert not at.session_state["authentication_status"]
