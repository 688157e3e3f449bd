"""Every use of streamlit-authenticator's private attributes, in one place.

The library (0.4.x) has no public way to answer credentials from a database, to check a
password itself, to leave the re-login cookie to the app, or to reach its cookie component.
Each private attribute used here has its own test (tests/accounts/test_authenticator.py), so an upgrade
that moves one fails loudly there instead of signing people in wrongly.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

import streamlit_authenticator as stauth

PasswordCheck = Callable[[str, str], bool]


def authenticator_build(
    *,
    cookie_name: str,
    cookie_key: str,
    cookie_expiry_days: float,
    credentials: MutableMapping[str, dict[str, Any]],
    check: PasswordCheck,
) -> stauth.Authenticate:
    """The library's authenticator answering usernames from `credentials`, checking passwords
    with `check(username, password)` and never writing a cookie itself."""
    authenticator = stauth.Authenticate(
        {"usernames": {}},
        cookie_name=cookie_name,
        cookie_key=cookie_key,
        cookie_expiry_days=cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=0,
    )
    model = _authentication_model(authenticator)
    model.credentials["usernames"] = credentials
    # The app checks the password (bounded bcrypt, rehash, lockout in the database).
    model.check_credentials = check
    # The app writes its own re-login cookie once the sign-in is recorded.
    authenticator.cookie_controller.set_cookie = lambda: None
    return authenticator


def credentials_of(authenticator: stauth.Authenticate) -> Any:
    """The credentials mapping the authenticator reads usernames from."""
    return _authentication_model(authenticator).credentials["usernames"]


def cookie_component(authenticator: stauth.Authenticate) -> Callable[..., Any]:
    """The cookie manager's component function (get, set and delete cookies in the browser)."""
    return authenticator.cookie_controller.cookie_model.cookie_manager.cookie_manager


def _authentication_model(authenticator: stauth.Authenticate) -> Any:
    return authenticator.authentication_controller.authentication_model
