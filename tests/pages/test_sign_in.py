from sqlalchemy import select

from portal import recent_reads
from portal.accounts import services as accounts
from portal.models import User
from portal.settings import DEMO_SIGNATURE
from tests.apptest import app_as, texts
from tests.factories import PASSWORD, enrollment_make, offering_make, user_make


def _sign_in(at, username, password):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[-1].click()
    return at.run()


def _input(at, label):
    return next(w for w in at.text_input if w.label == label)


def test_signing_in_through_the_form_opens_the_participants_home(app_env, session):
    user = user_make(session, username="pat", full_name="Pat Jones")
    enrollment_make(session, user, offering_make(session))
    session.commit()
    at = app_as(None)
    assert "Sign in" in [f.value for f in at.subheader] or "Sign in" in texts(at)
    at = _sign_in(at, "pat", PASSWORD)
    assert not at.exception
    assert at.session_state["authentication_status"] is True
    # AppTest reruns the page alone; the browser test follows the menu to Home.
    assert "You are signed in" in texts(at.run())


def test_a_wrong_password_says_so_without_telling_whether_the_user_exists(app_env, session):
    user_make(session, username="pat")
    session.commit()
    known = texts(_sign_in(app_as(None), "pat", "wrong password"))
    unknown = texts(_sign_in(app_as(None), "nobody", "wrong password"))
    assert "Username or password is incorrect" in known
    message = [line for line in known.splitlines() if "incorrect" in line]
    assert message == [line for line in unknown.splitlines() if "incorrect" in line]


def test_repeated_failures_ask_for_the_captcha_and_the_owner_still_gets_in(app_env, session):
    user_make(session, username="pat")
    session.commit()
    at = app_as(None)
    for _ in range(3):
        at = _sign_in(at, "pat", "wrong password")
    at = _sign_in(at, "pat", PASSWORD)
    assert not at.session_state["authentication_status"]
    assert "Type the digits shown in the picture as well." in texts(at)
    captcha = _input(at, "Digits in the picture")
    captcha.input("0000" if _captcha(at) != "0000" else "1111")
    at = _sign_in(at, "pat", PASSWORD)
    assert not at.session_state["authentication_status"]
    assert "The digits do not match the picture" in texts(at)
    _input(at, "Digits in the picture").input(_captcha(at))
    at = _sign_in(at, "pat", PASSWORD)
    assert at.session_state["authentication_status"] is True


def _captcha(at) -> str:
    """The digits of the picture on the form (kept encrypted in the session)."""
    from streamlit_authenticator.utilities import Encryptor

    from portal.settings import settings_load

    return Encryptor(settings_load().resolved_cookie_key()).decrypt(
        at.session_state["login_captcha"]
    )


def test_a_password_with_outer_spaces_signs_in_as_registered(app_env, session):
    user_make(session, username="pat", password="  spaced out pass  ")
    session.commit()
    assert (
        _sign_in(app_as(None), "pat", "spaced out pass").session_state["authentication_status"]
        is not True
    )
    at = _sign_in(app_as(None), "pat", "  spaced out pass  ")
    assert at.session_state["authentication_status"] is True


def test_demo_accounts_are_listed_only_in_demo_mode(app_env, monkeypatch):
    assert "Demo data" not in texts(app_as(None))
    monkeypatch.setenv("PORTAL_ENV", "demo")
    from portal.settings import settings_load

    settings_load.cache_clear()
    at = app_as(None)
    assert "Demo data" in texts(at)
    assert "demo-participant" in str(at.table[0].value)


def test_registration_shows_each_problem_beside_its_field(app_env, factory):
    at = app_as(None)
    at.switch_page("pages/register.py").run()
    _input(at, "Full name as it must appear on your certificate").input("Zoë Nguyễn-Ångström")
    _input(at, "Email").input("zoe@example")
    _input(at, "Username").input("zoe")
    _input(at, "Password").input("short")
    _input(at, "Repeat password").input("short")
    at.selectbox(key="register_profession").select("rn")
    at.button[0].click()
    at.run()
    shown = texts(at)
    assert "Enter one email address like name@example.org." in shown
    assert "Use at least 10 characters." in shown
    assert "Enter your license number." in shown
    with factory() as check:
        assert check.scalar(select(User)) is None


def test_registration_creates_the_account_and_signs_in(app_env, factory):
    at = app_as(None)
    at.switch_page("pages/register.py").run()
    _input(at, "Full name as it must appear on your certificate").input("Иван Петров")
    _input(at, "Email").input("ivan@example.org")
    _input(at, "Username").input("ivan")
    _input(at, "Password").input("a long password")
    _input(at, "Repeat password").input("a long password")
    at.selectbox(key="register_profession").select("rn")
    _input(at, "License number").input("RN 654321")
    at.selectbox(key="register_license_state").select("CA")
    at.button[0].click()
    at.run()
    assert not at.exception
    assert at.session_state["authentication_status"] is True
    with factory() as check:
        user = check.scalar(select(User))
        assert (user.full_name, user.role, user.licenses[0].number) == (
            "Иван Петров",
            "participant",
            "RN 654321",
        )


def test_signing_out_ends_the_session_and_earlier_cookies(app_env, session, factory):
    user = user_make(session, username="pat")
    session.commit()
    at = app_as(user, "sign_out.py")
    before = user.sessions_valid_after
    at.button(key="sign_out").click()
    at.run()
    assert not at.session_state["authentication_status"]
    with factory() as check:
        assert check.get(User, user.id).sessions_valid_after > before


def test_a_sign_out_elsewhere_ends_this_session_within_a_few_seconds(
    app_env, session, factory, reads_clock
):
    user = user_make(session, username="pat")
    session.commit()
    at = app_as(user, "profile.py")
    with factory() as elsewhere, elsewhere.begin():
        accounts.sign_out(session=elsewhere, user_id=user.id)  # on another device
    reads_clock[0] += recent_reads.RECENT_SECONDS
    at.run()
    assert not at.exception
    assert not at.session_state["authentication_status"]
    assert "Please sign in" in texts(at)


def test_outside_demo_mode_the_demo_admin_cannot_sign_in(app_env, session, monkeypatch, tmp_path):
    # A production start on a database that demo mode once seeded.
    user_make(session, role="admin", username="demo-admin", password="demo-admin")
    session.commit()
    signature = tmp_path / "signature.png"
    signature.write_bytes(DEMO_SIGNATURE.read_bytes())  # a real image: the start checks it
    for name, value in {
        "ENV": "production",
        "PUBLIC_BASE_URL": "https://ce.example.org",
        "CE_ADMINISTRATOR_NAME": "Dana Reyes, PhD",
        "CE_ADMINISTRATOR_TITLE": "CE Program Director",
        "CE_ADMINISTRATOR_SIGNATURE": str(signature),
    }.items():
        monkeypatch.setenv(f"PORTAL_{name}", value)
    from portal.settings import settings_load

    settings_load.cache_clear()
    at = _sign_in(app_as(None), "demo-admin", "demo-admin")
    assert not at.exception
    assert not at.session_state["authentication_status"]
    assert "Username or password is incorrect" in texts(at)
    assert "Demo data" not in texts(at)


def test_registration_from_one_address_is_limited(app_env, monkeypatch, factory):
    monkeypatch.setenv("PORTAL_REGISTRATIONS_PER_HOUR", "2")
    from portal.settings import settings_load

    settings_load.cache_clear()
    at = app_as(None)
    at.switch_page("pages/register.py").run()
    shown = []
    for attempt in range(3):
        _input(at, "Full name as it must appear on your certificate").input("Ana Probe")
        _input(at, "Email").input("ana@example.org")
        _input(at, "Username").input(f"ana{attempt}")
        _input(at, "Password").input("a long password")
        _input(at, "Repeat password").input("another password")  # refused, yet counted
        at.selectbox(key="register_profession").select("other")
        at.button[0].click()
        at.run()
        shown.append(texts(at))
    assert "The two passwords differ." in shown[1]
    assert "Too many new accounts from here" in shown[2]
    with factory() as check:
        assert check.scalar(select(User)) is None
