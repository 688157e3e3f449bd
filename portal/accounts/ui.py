"""Sign-in through streamlit-authenticator, with the users table as the source of truth.

The library keeps credentials in a dict and trusts its cookie. Here the dict is a view of
the database that answers every username (unknown and locked ones with a dummy hash, so
timing reveals nothing), failures are counted and locked out for a while in the database,
and a re-login cookie is checked against the account before the library may use it.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, NoReturn
from urllib.parse import urlsplit

import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy.orm import Session

from portal.accounts import services as accounts
from portal.accounts import throttle
from portal.accounts.authenticator import (
    LoginError,
    authenticator_build,
    captcha_forget,
    cookie_component,
    credentials_of,
)
from portal.accounts.passwords import password_hash, password_matches, password_needs_rehash
from portal.accounts.signin_cookie import cookie_claim, cookie_token
from portal.accounts.throttle import SignInPolicy
from portal.db import transaction
from portal.models import utc_now
from portal.ui import (
    client_address,
    db,
    escape_markdown,
    fail,
    query,
    query_recent,
    read,
    settings,
    stop,
)

_AUTH_KEYS = ("authentication_status", "username", "name", "email", "roles")
_COOKIE_ACTION = "_cookie_action"
_RETURN_TO = "_return_to_page"
_AUTHENTICATOR = "_authenticator"
# (username, succeeded, message, captcha_needed) of this run's sign-in attempt
_ATTEMPT = "_sign_in_attempt"
_CAPTCHA = "_sign_in_captcha"  # the sign-in form asks for the CAPTCHA too
_SIGN_IN_MESSAGE = "_sign_in_message"  # a refusal to show after redrawing the form
# The person the entry script looked up, for the page of this run (a context variable rather
# than session state: read on every run, and session state is the dearer read).
_RUN_USER: ContextVar[CurrentUser | Literal[False] | None] = ContextVar("run_user", default=False)
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
        user, hashed = accounts.sign_in_account(
            session=session, username=username, demo_mode=settings().is_demo
        )
    return {
        "email": user.email if user else "",
        "name": user.full_name if user else "",
        "password": hashed,
        "roles": [user.role] if user else [],
        "failed_login_attempts": 0,
        "logged_in": False,
    }


def _authenticator() -> stauth.Authenticate:
    """The library's authenticator, built once per browser session."""
    authenticator = st.session_state.get(_AUTHENTICATOR)
    if authenticator is None:
        current = settings()
        authenticator = authenticator_build(
            cookie_name=current.cookie_name,
            cookie_key=current.resolved_cookie_key(),
            cookie_expiry_days=current.cookie_expiry_days,
            credentials=DatabaseCredentials(),
            check=_password_check,
        )
        st.session_state[_AUTHENTICATOR] = authenticator
    return authenticator


def sign_in_policy() -> SignInPolicy:
    """The sign-in throttle the settings ask for (also guards Profile's password check)."""
    return SignInPolicy.from_settings(settings())


def _password_check(username: str, password: str) -> bool:
    """Check a submitted password: throttled, counted and audited in the database.

    The hash check runs between two short transactions, so no connection (nor SQLite's write
    lock) is held while it waits for its turn.
    """
    name = username.strip().lower()
    client, now = client_address(), utc_now()
    with transaction(db()) as session:
        gate = throttle.sign_in_begin(
            session=session,
            username=name,
            client=client,
            # The library checked the CAPTCHA before asking for the password.
            captcha_passed=bool(st.session_state.get(_CAPTCHA)),
            policy=sign_in_policy(),
            now=now,
        )
    matched = False
    if gate.allowed:
        hashed = credentials_of(st.session_state[_AUTHENTICATOR])[name]["password"]
        matched = password_matches(password, hashed)
        rehashed = password_hash(password) if matched and password_needs_rehash(hashed) else None
        with transaction(db()) as session:
            accounts.sign_in_record(
                session=session,
                username=name,
                client=client,
                succeeded=matched,
                policy=sign_in_policy(),
                now=now,
                new_hash=rehashed,
                checked_hash=hashed,
            )
    message = gate.message or ("" if matched else accounts.WRONG_CREDENTIALS)
    st.session_state[_ATTEMPT] = (name, matched, message, gate.captcha_needed)
    return matched


def _cookie_sign_in() -> CurrentUser | None:
    """Sign in from the re-login cookie when it names an open account, issued after its last
    sign-out or password change; otherwise the cookie is ignored for this browser session.

    The library is not asked: this one lookup also gives the person for this run.
    """
    if st.session_state.get("authentication_status") or st.session_state.get("logout"):
        return None
    current = settings()
    token = st.context.cookies.get(current.cookie_name)
    if not token:
        return None
    claim = cookie_claim(
        token,
        key=current.resolved_cookie_key(),
        expiry_days=current.cookie_expiry_days,
        now=utc_now(),
    )
    user = None
    if claim is not None:
        user = query(_signed_in, username=claim.username, signed_in_at=claim.issued_at)
    if claim is None or user is None:
        st.session_state["logout"] = True
        return None
    st.session_state.update(
        authentication_status=True,
        username=user.username,
        name=user.full_name,
        email=None,
        roles=[user.role],
        signed_in_at=claim.issued_at,
    )
    return user


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
    write = cookie_component(authenticator)
    if write(cookie=settings().cookie_name, default=False, **request):
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
    """Run once per script run in the entry script: the signed-in person (one lookup),
    restored from the re-login cookie when the browser session has not signed in yet."""
    user = _cookie_sign_in()
    _authenticator()  # draws nothing (see authenticator_build); the sign-in form needs it
    return user or current_user()


def browser_cookies() -> None:
    """The pending re-login cookie write, drawn by the entry script after the page.

    In a fragment, so the browser's answer reruns only this. And last: a fragment rerun that
    arrives while the page is still being drawn can make Streamlit drop the rest of that run
    (a page left half drawn); the answer comes only after the frame arrived, so after all else.
    Nothing at all while no write is pending: a fragment costs every run a copy of its context.
    """
    if _COOKIE_ACTION in st.session_state:
        _browser_cookie_writer()


@st.fragment
def _browser_cookie_writer() -> None:
    _cookie_sync(_authenticator())


@contextmanager
def page_run_user(user: CurrentUser | None) -> Iterator[None]:
    """Hand the person the entry script looked up to the page it runs, for this run only."""
    token = _RUN_USER.set(user)
    try:
        yield
    finally:
        _RUN_USER.reset(token)


def sign_in_form() -> None:
    """The library's sign-in form; attempts are throttled in the database, and a CAPTCHA is
    asked as well after repeated failures."""
    if _AUTHENTICATOR not in st.session_state:
        st.switch_page(ENTRY_SCRIPT)  # run without the entry script: see require_role
    authenticator = _authenticator()
    credentials_of(authenticator).reset()
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
    attempt = st.session_state.pop(_ATTEMPT, None)
    if attempt is None:
        return
    username, succeeded, message, captcha_needed = attempt
    if succeeded:
        st.session_state.pop(_CAPTCHA, None)
        st.session_state["signed_in_at"] = utc_now()
        _cookie_set(username)
        st.rerun()
    if captcha_needed or captcha:
        _sign_in_redraw(message)
    st.error(message)


def _sign_in_redraw(message: str) -> NoReturn:
    """Draw the form again with a new CAPTCHA picture, the refusal shown above it."""
    st.session_state[_CAPTCHA] = True
    captcha_forget(st.session_state)
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
    authenticator = st.session_state.get(_AUTHENTICATOR)
    if authenticator is not None:
        authenticator.logout(location="unrendered")
    _forget_sign_in()
    _cookie_request("delete")


def current_user() -> CurrentUser | None:
    """The signed-in person, re-checked against the database at most once per run (see
    page_run_user) and every few seconds (query_recent): a sign-out elsewhere, a new
    password or a deactivation ends this session within that time."""
    if (user := _RUN_USER.get()) is not False:
        return user
    username = st.session_state.get("username")
    if not st.session_state.get("authentication_status") or not username:
        return None
    signed_in_at: datetime = st.session_state.get("signed_in_at") or datetime.min.replace(
        tzinfo=UTC
    )
    user = query_recent(_signed_in, username=username, signed_in_at=signed_in_at)
    if user is None:
        _forget_sign_in()
    return user


def _signed_in(session: Session, username: str, signed_in_at: datetime) -> CurrentUser | None:
    """The person of a sign-in made at signed_in_at while it is still valid (one lookup)."""
    row = accounts.signed_in_user(session, username, signed_in_at, demo_mode=settings().is_demo)
    return row and CurrentUser(row.id, row.username, row.full_name, row.role)


def require_role(*roles: str) -> CurrentUser:
    """The signed-in person if their role may see this page; otherwise the page stops here."""
    user = current_user()
    if user is None and _AUTHENTICATOR not in st.session_state:
        # Streamlit ran this page without the entry script (its pages/ folder mode, on a
        # freshly started server): go through the entry script, which restores a cookie
        # sign-in and builds the menu of the person's role, then comes back to this page.
        st.session_state[_RETURN_TO] = _url_page()
        st.switch_page(ENTRY_SCRIPT)
    if user is None:
        st.warning("Please sign in to see this page.")
        st.markdown("[Go to the sign-in page](/)")
        stop()
    if user.role not in roles:
        fail("This page is not available to your role.")
    return user


def _url_page() -> str:
    url = st.context.url or ""
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def return_page_take(user: CurrentUser | None) -> str | None:
    """The page (URL path) a person was sent away from before the entry script had run,
    once they are signed in: a reload after a server restart returns there, not to Home."""
    if user is None:
        return None
    return st.session_state.pop(_RETURN_TO, None) or None


def account_caption(user: CurrentUser | None) -> str | None:
    """The sidebar's "Signed in as" line, as HTML-safe markdown (the entry script draws it on
    every signed-in run, pages with no role guard included); None when nobody is signed in.
    Signing out is a page of the menu, not a button here: a widget on every page costs every
    run of every page."""
    if user is None:
        return None
    name = escape_markdown(html.escape(user.full_name))
    return f"Signed in as **{name}** ({user.role})"
