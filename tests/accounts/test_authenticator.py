"""One test per private attribute of streamlit-authenticator that portal/accounts/authenticator.py uses.

An upgrade that renames or bypasses one of them fails here, not in production sign-ins.
"""

import importlib
import inspect

import pytest
import streamlit as st
import streamlit_authenticator as stauth

from portal.accounts.authenticator import authenticator_build, cookie_component, credentials_of

ENTRY = {"email": "e@x.org", "name": "Pat", "password": "h", "roles": ["participant"]}


@pytest.fixture
def checks():
    return []


@pytest.fixture
def authenticator(checks):
    credentials = {"pat": {**ENTRY, "failed_login_attempts": 0, "logged_in": False}}
    yield authenticator_build(
        cookie_name="c",
        cookie_key="k" * 32,
        cookie_expiry_days=1,
        credentials=credentials,
        check=lambda username, password: checks.append(username) or password == "right",
    )
    for key in ("authentication_status", "name", "username", "email", "roles"):
        st.session_state.pop(key, None)


def _model(authenticator):
    return authenticator.authentication_controller.authentication_model


def test_usernames_are_read_from_the_credentials_given(authenticator):
    # authentication_controller.authentication_model.credentials["usernames"]
    assert credentials_of(authenticator)["pat"]["name"] == "Pat"
    assert _model(authenticator).login("pat", "right") is True
    assert st.session_state["name"] == "Pat"
    assert st.session_state["roles"] == ["participant"]


def test_the_library_checks_passwords_with_the_apps_function(authenticator, checks):
    # authentication_model.check_credentials, called by the model's login
    assert _model(authenticator).login("pat", "wrong") is False
    assert checks == ["pat"]
    assert not st.session_state["authentication_status"]
    assert "check_credentials(" in inspect.getsource(type(_model(authenticator)).login)


def test_the_library_writes_no_cookie_of_its_own(authenticator):
    # cookie_controller.set_cookie, called by the login form after a success
    controller = authenticator.cookie_controller
    assert callable(type(controller).set_cookie)
    assert controller.set_cookie() is None
    view_login = inspect.getsource(stauth.Authenticate.login)
    assert "self.cookie_controller.set_cookie()" in view_login


def test_the_cookie_component_is_the_cookie_managers(authenticator):
    # cookie_controller.cookie_model.cookie_manager.cookie_manager
    module = importlib.import_module("extra_streamlit_components.CookieManager")
    assert cookie_component(authenticator) is module._component_func
    assert authenticator.cookie_controller.cookie_model.cookie_name == "c"


def test_the_library_builds_no_cookie_reader(monkeypatch):
    # cookie_model.stx.CookieManager, built in CookieModel.__init__: the stock one draws a
    # component that reads every cookie and reruns the page once the browser answers
    module = importlib.import_module("extra_streamlit_components.CookieManager")
    drawn = []
    monkeypatch.setattr(module, "_component_func", lambda **kwargs: drawn.append(kwargs) or {})
    library = importlib.import_module("streamlit_authenticator.models.cookie_model")
    assert "stx.CookieManager()" in inspect.getsource(library.CookieModel.__init__)
    authenticator_build(
        cookie_name="c", cookie_key="k" * 32, cookie_expiry_days=1, credentials={}, check=any
    )
    assert drawn == []
    # Nothing is lost: the library reads its cookie from the request, not from that answer.
    assert "st.context.cookies" in inspect.getsource(library.CookieModel.get_cookie)
