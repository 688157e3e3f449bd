"""Sign-in through streamlit-authenticator, with the users table as the source of truth.

The library keeps credentials in a dict and trusts its cookie. Here the dict is a view of
the database that answers every username (unknown and locked ones with a dummy hash, so
timing reveals nothing), failures are counted and locked out for a while in the database,
and a re-login cookie is checked against the account before the library may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

from portal.accounts import services as accounts
from portal.accounts import throttle
from portal.accounts.passwords import password_matches
from portal.accounts.signin_cookie import cookie_claim, cookie_token
from portal.accounts.throttle import SignInPolicy
from portal.models import User, utc_now
from portal.ui import client_address, db, escape_markdown, fail, read, settings, transaction

_AUTH_KEYS = ("authentication_status", "username", "name", "email", "roles")
_COOKIE_ACTION = "_cookie_action"
_ATTEMPT = "_sign_in_attempt"  # this run's sign-in attempt, from the password check
_CAPTCHA = "_sign_in_captcha"  # the sign-in form asks for the CAPTCHA too
_SIGN_IN_MESSAGE = "_sign_in_message"  # a refusal to show after redrawing the form
ENTRY_SCRIPT = "streamlit_app.py"


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in person."""

    id: int
    username: str
    full_name: str
    role: str


class DatabaseCredentials(dict):  # type: ignore[type-arg]
    """The library's credentials['usernames'], answered from the users table."""

    def reset(self) -> None:
        """Forget looked-up entries so this run sees the database as it is now."""
        self.clear()

    def __bool__(self) -> bool:
        return True

    def __contains__(self, username: object) -> bool:
        return isinstance(username, str) and bool(username.strip())

    def __getitem__(self, username: str) -> dict[str, Any]:
        name = username.strip().lower()
        if name not in self.keys():
            super().__setitem__(name, _credentials_entry(name))
        return super().__getitem__(name)

    def get(self, username: str, default: Any = None) -> dict[str, Any]:  # type: ignore[override]
        return self[username]


def _credentials_entry(username: str) -> dict[str, Any]:
    with read() as session:
        user = session.query(User).filter_by(username=username).one_or_none()
        hashed = accounts.sign_in_hash(session=session, username=username)
    return {
        "email": user.email if user else "",
        "name": user.full_name if user else "",
        "password": hashed,
        "roles": [user.role] if user else [],
        "failed_login_attempts": 0,
        "logged_in": False,
    }


def _authenticator() -> stauth.Authenticate:
    current = settings()
    authenticator = stauth.Authenticate(
        {"usernames": {}},
        cookie_name=current.cookie_name,
        cookie_key=current.resolved_cookie_key(),
        cookie_expiry_days=current.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=0,
    )
    controller = authenticator.authentication_controller
    controller.login = _login_keeping_spaces(controller)
    model = controller.authentication_model
    model.credentials["usernames"] = DatabaseCredentials()
    model.check_credentials = _password_check
    return authenticator


def _credentials(authenticator: stauth.Authenticate) -> DatabaseCredentials:
    return authenticator.authentication_controller.authentication_model.credentials["usernames"]


def _screen_cookie() -> None:
    """Let the library read the cookie only when it names an open account, issued after its
    last sign-out or password change; otherwise it is ignored for this browser session."""
    if st.session_state.get("authentication_status") or st.session_state.get("logout"):
        return
    current = settings()
    token = st.context.cookies.get(current.cookie_name)
    if not token:
        return
    claim = cookie_claim(
        token,
        key=current.resolved_cookie_key(),
        expiry_days=current.cookie_expiry_days,
        now=utc_now(),
    )
    with read() as session:
        valid_since = claim and accounts.sessions_valid_since(session, claim.username)
    if claim is None or valid_since is None or claim.issued_at < valid_since:
        st.session_state["logout"] = True
        return
    st.session_state["signed_in_at"] = claim.issued_at


def _cookie_request(method: str, value: str = "", expires_at: datetime | None = None) -> None:
    """Ask the next runs to write (or delete) the re-login cookie in the browser."""
    count = st.session_state.get("_cookie_writes", 0) + 1
    options = {"path": "/", "sameSite": "strict"}
    if expires_at is not None:
        options["expires"] = expires_at.isoformat()
    st.session_state["_cookie_writes"] = count
    st.session_state[_COOKIE_ACTION] = {
        "method": method,
        "value": value,
        "options": options,
        "key": f"portal_cookie_{count}",
    }


def _cookie_sync(authenticator: stauth.Authenticate) -> None:
    """Render the pending cookie write on every run until the browser reports it done.

    The cookie is written by a browser-side component. A component that a rerun removes
    before its frame has loaded never runs, and sign-in and sign-out end in st.rerun(), so
    the write is repeated (under one key, so it runs once) until the component answers.
    """
    request = st.session_state.get(_COOKIE_ACTION)
    if request is None:
        return
    model = authenticator.cookie_controller.cookie_model
    write = model.cookie_manager.cookie_manager  # the component function behind CookieManager
    if write(cookie=model.cookie_name, default=False, **request):
        st.session_state.pop(_COOKIE_ACTION, None)


def _cookie_set(username: str) -> None:
    current = settings()
    token, expires_at = cookie_token(
        username,
        key=current.resolved_cookie_key(),
        expiry_days=current.cookie_expiry_days,
        now=utc_now(),
    )
    _cookie_request("set", token, expires_at)


def authenticate() -> CurrentUser | None:
    """Run once per script run in the entry script: restore a sign-in from the cookie."""
    authenticator = _authenticator()
    st.session_state["_authenticator"] = authenticator
    _screen_cookie()
    authenticator.login(location="unrendered")
    _cookie_sync(authenticator)
    return current_user()


def sign_in_policy() -> SignInPolicy:
    """The sign-in throttle the settings ask for (also guards Profile's password check)."""
    return SignInPolicy.from_settings(settings())


def _login_keeping_spaces(controller: Any) -> Any:
    """The library's AuthenticationController.login without stripping the password.

    Passwords keep their spaces (as at registration); the library strips them, so a
    password with a leading or trailing space could register but never sign in.
    """

    def login(  # type: ignore[no-untyped-def]
        username=None,
        password=None,
        max_concurrent_users=None,
        max_login_attempts=None,
        token=None,
        single_session=False,
        callback=None,
        captcha=False,
        entered_captcha=None,
    ):
        if captcha:
            if not entered_captcha:
                raise LoginError("Captcha not entered")
            controller._check_captcha("login_captcha", LoginError, entered_captcha.strip())
        return controller.authentication_model.login(
            username.lower().strip() if username else username,
            password,
            max_concurrent_users,
            max_login_attempts,
            token,
            single_session,
            callback,
        )

    return login


def _password_check(username: str, password: str) -> bool:
    """The library's password check: throttled, counted and audited in the database.

    bcrypt runs between two short transactions so no connection (or SQLite's write lock)
    is held while it works.
    """
    client, now, policy = client_address(), utc_now(), sign_in_policy()
    with transaction(db()) as session:
        gate = throttle.sign_in_begin(
            session=session,
            username=username,
            client=client,
            # The library checked the CAPTCHA before asking for the password.
            captcha_passed=bool(st.session_state.get(_CAPTCHA)),
            policy=policy,
            now=now,
        )
        hashed = accounts.sign_in_hash(session=session, username=username)
    matched = gate.allowed and password_matches(password, hashed)
    if gate.allowed:
        with transaction(db()) as session:
            throttle.sign_in_finish(
                session=session, username=username, client=client, succeeded=matched, now=now
            )
    message = gate.message or ("" if matched else accounts.WRONG_CREDENTIALS)
    st.session_state[_ATTEMPT] = accounts.SignInResult(None, message, gate.captcha_needed)
    return matched


def sign_in_form() -> None:
    """The library's sign-in form; attempts are throttled in the database, a CAPTCHA is
    added after repeated failures."""
    authenticator = st.session_state.get("_authenticator")
    if authenticator is None:
        st.switch_page(ENTRY_SCRIPT)  # run without the entry script: see require_role
    _credentials(authenticator).reset()
    if message := st.session_state.pop(_SIGN_IN_MESSAGE, None):
        st.error(message)
    st.session_state.pop(_ATTEMPT, None)
    captcha = bool(st.session_state.get(_CAPTCHA))
    try:
        authenticator.login(
            location="main",
            key="sign_in",
            captcha=captcha,
            fields={
                "Form name": "Sign in",
                "Username": "Username",
                "Password": "Password",
                "Captcha": "Digits in the picture",
                "Login": "Sign in",
            },
        )
    except LoginError:
        _sign_in_redraw("The digits do not match the picture. Type the digits of the new one.")
    attempt: accounts.SignInResult | None = st.session_state.pop(_ATTEMPT, None)
    if attempt is None:
        return
    if st.session_state.get("authentication_status"):
        st.session_state.pop(_CAPTCHA, None)
        st.session_state["signed_in_at"] = utc_now()
        _cookie_set(st.session_state["username"])
        st.rerun()
    if attempt.captcha_needed or captcha:
        _sign_in_redraw(attempt.message)
    st.error(attempt.message)


def _sign_in_redraw(message: str) -> NoReturn:
    """Draw the form again with a (new) CAPTCHA picture, the refusal shown above it."""
    st.session_state[_CAPTCHA] = True
    st.session_state.pop("login_captcha", None)
    st.session_state[_SIGN_IN_MESSAGE] = message
    st.rerun()


def sign_in_as(user_id: int, username: str) -> None:
    """Sign in a person who just proved who they are (registration, password change)."""
    with read() as session:
        user = accounts.user_get(session, user_id)
        st.session_state.update(
            authentication_status=True,
            username=username,
            name=user.full_name,
            email=user.email,
            roles=[user.role],
        )
    st.session_state["signed_in_at"] = utc_now()
    st.session_state["logout"] = None
    _cookie_set(username)


def _forget_sign_in() -> None:
    for key in (*_AUTH_KEYS, "signed_in_at", "user_id"):
        st.session_state[key] = None
    st.session_state["logout"] = True


def sign_out(user: CurrentUser) -> None:
    """Sign out here and refuse every earlier re-login cookie of this person."""
    with transaction(db()) as session:
        accounts.sign_out(session=session, user_id=user.id)
    authenticator = st.session_state.get("_authenticator")
    if authenticator is not None:
        authenticator.logout(location="unrendered")
    _forget_sign_in()
    _cookie_request("delete")


def current_user() -> CurrentUser | None:
    """The signed-in person, re-checked against the database on every run."""
    username = st.session_state.get("username")
    if not st.session_state.get("authentication_status") or not username:
        return None
    signed_in_at: datetime = st.session_state.get("signed_in_at") or datetime.min.replace(
        tzinfo=UTC
    )
    with read() as session:
        user = session.query(User).filter_by(username=username.lower()).one_or_none()
        if user is None or not user.is_active or signed_in_at < user.sessions_valid_after:
            _forget_sign_in()
            return None
        return CurrentUser(user.id, user.username, user.full_name, user.role)


def require_role(*roles: str) -> CurrentUser:
    """The signed-in person if their role may see this page; otherwise the page stops here."""
    user = current_user()
    if user is None and "_authenticator" not in st.session_state:
        # Streamlit ran this page without the entry script (its pages/ folder mode, on a
        # freshly started server): go through the entry script, which restores a cookie
        # sign-in and builds the menu of the person's role.
        st.switch_page(ENTRY_SCRIPT)
    if user is None:
        st.warning("Please sign in to see this page.")
        st.markdown("[Go to the sign-in page](/)")
        st.stop()
    if user.role not in roles:
        fail("This page is not available to your role.")
    _sidebar_account(user)
    return user


def _sidebar_account(user: CurrentUser) -> None:
    # Rendered by every page rather than the entry script, so it works on pages reached directly.
    st.sidebar.caption(f"Signed in as **{escape_markdown(user.full_name)}** ({user.role})")
    if st.sidebar.button("Sign out", key="sign_out", icon=":material/logout:"):
        sign_out(user)
        st.rerun()
