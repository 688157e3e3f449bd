"""The server with a broken configuration: a plain page, no traceback, no menu."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from portal.settings import settings_load
from portal.ui import NOT_CONFIGURED
from tests.apptest import ENTRY, texts


def _visit() -> AppTest:
    settings_load.cache_clear()
    return AppTest.from_file(ENTRY, default_timeout=60).run()


def test_a_wrong_env_value_shows_the_not_configured_page(app_env, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "prod")
    at = _visit()
    assert not at.exception
    assert NOT_CONFIGURED in texts(at)
    assert "prod" not in texts(at)  # details are for the operator's log, not visitors
    assert "Sign in" not in texts(at)


def test_an_unreachable_database_shows_the_not_configured_page(app_env, monkeypatch, caplog):
    monkeypatch.setenv("PORTAL_DATABASE_URL", "postgresql://portal@127.0.0.1:9/portal")
    at = _visit()
    assert not at.exception
    assert NOT_CONFIGURED in texts(at)
    assert "PORTAL_DATABASE_URL: cannot use the database" in caplog.text


def test_a_configured_portal_serves_the_sign_in_page(app_env):
    at = _visit()
    assert not at.exception
    assert NOT_CONFIGURED not in texts(at)
