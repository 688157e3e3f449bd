"""Every use of streamlit-authenticator's private attributes, in one place.

The library (0.4.x) has no public way to answer credentials from a database, to check a
password itself, to leave the re-login cookie to the app, to reach its cookie component, or
to be built without drawing a cookie reader.
Each private attribute used here has its own test (tests/accounts/test_authenticator.py), so an upgrade
that moves one fails loudly there instead of signing people in wrongly.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from types import SimpleNamespace
from typing import Any

import streamlit_authenticator as stauth
import streamlit_authenticator.models.cookie_model as _library_cookie_model
from extra_streamlit_components.CookieManager import CookieManager, _component_func
from streamlit_authenticator.utilities import LoginError

PasswordCheck = Callable[[str, str], bool]
CAPTCHA_KEY = "login_captcha"  # where the library keeps the sign-in CAPTCHA (encrypted)


class _UnrenderedCookieManager(CookieManager):  # type: ignore[misc]
    """The library's cookie manager without its reading component.

    Built, the stock one draws a component that asks the browser for every cookie and reruns
    the page when answered; the library reads its cookie from st.context.cookies instead, so
    that component costs a rerun and nothing else. Writes still use the manager's component.
    """

    def __init__(self, key: str = "init") -> None:
        self.cookie_manager = _component_func
        self.cookies: dict[str, str] = {}


# The library builds its manager as `stx.CookieManager()` in its cookie model's module.
_library_cookie_model.stx = SimpleNamespace(CookieManager=_UnrenderedCookieManager)


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
    controller = authenticator.authentication_controller
    controller.login = _login_keeping_spaces(controller)
    model = _authentication_model(authenticator)
    model.credentials["usernames"] = credentials
    # The app checks the password (bounded argon2id, rehash, lockout in the database).
    model.check_credentials = check
    # The app writes its own re-login cookie once the sign-in is recorded.
    authenticator.cookie_controller.set_cookie = lambda: None
    return authenticator


def _login_keeping_spaces(controller: Any) -> Callable[..., Any]:
    """The controller's login without its password.strip(): passwords keep their spaces
    (as at registration), so one with a leading or trailing space can sign in. The CAPTCHA
    check is the library's own."""

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
            controller._check_captcha(CAPTCHA_KEY, LoginError, entered_captcha.strip())
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


def captcha_forget(state: MutableMapping[str, Any]) -> None:
    """Forget the sign-in CAPTCHA's digits so the next form shows a new picture."""
    state.pop(CAPTCHA_KEY, None)


def credentials_of(authenticator: stauth.Authenticate) -> Any:
    """The credentials mapping the authenticator reads usernames from."""
    return _authentication_model(authenticator).credentials["usernames"]


def cookie_component(authenticator: stauth.Authenticate) -> Callable[..., Any]:
    """The cookie manager's component function (get, set and delete cookies in the browser)."""
    return authenticator.cookie_controller.cookie_model.cookie_manager.cookie_manager


def _authentication_model(authenticator: stauth.Authenticate) -> Any:
    return authenticator.authentication_controller.authentication_model
