"""Failures on the portal's side reach a person as words, a way forward and an error id.

The database is taken away mid-action through a TCP proxy in front of PostgreSQL; a broken
database call and an unwritable storage folder are simulated on every backend. No SQL,
parameters, host, path or stack reaches the page, and the id matches one log line.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import tomllib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import exc, select
from sqlalchemy.engine import make_url

from portal import PROJECT_ROOT, ui
from portal.attendance import checkin
from portal.attendance.codes import current_code
from portal.failures import (
    DATABASE_UNREACHABLE,
    STORAGE_FULL,
    failure_message,
    failure_record,
)
from portal.materials import services as materials
from portal.models import Attendance, utc_now
from portal.settings import settings_load
from tests.apptest import app_as, texts
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import window_make
from tests.tcp_proxy import tcp_proxy

LEAKS = ("SELECT", "INSERT", "[SQL", "[parameters", "Traceback", "psycopg", "sqlite3", "/blobs/")
ERROR_ID = re.compile(r"Error id: ([0-9a-f]{12})")


class Lines(logging.Handler):
    """Every log line of the portal, formatted, as an operator would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    handler = Lines()
    portal_logger = logging.getLogger("portal")
    portal_logger.addHandler(handler)
    yield handler.lines
    portal_logger.removeHandler(handler)


def _shown_once_in_log(page_text: str, lines: list[str]) -> str:
    [error_id] = ERROR_ID.findall(page_text)
    assert len([line for line in lines if error_id in line]) == 1, lines
    return error_id


def _no_leaks(page_text: str, *extra: str) -> None:
    for leak in (*LEAKS, *extra):
        assert leak not in page_text, leak


def _operational_error() -> exc.OperationalError:
    return exc.OperationalError(
        "SELECT users.id, users.password_hash FROM users WHERE users.username = ?",
        {"username_1": "pat"},
        sqlite3.OperationalError("database is locked"),
    )


def test_messages_name_what_happened_and_what_to_do():
    assert failure_message(_operational_error()) == DATABASE_UNREACHABLE
    assert failure_message(PermissionError(13, "Permission denied", "/srv/x")) == STORAGE_FULL
    failure = failure_record(_operational_error(), "test")
    assert "try again" in failure.text and failure.error_id in failure.text
    _no_leaks(failure.text)


@pytest.fixture
def live(app_env, session):
    offering = offering_make(
        session, sessions=[(utc_now() - timedelta(minutes=5), utc_now() + timedelta(hours=2))]
    )
    people = [user_make(session, full_name=f"Person {n}") for n in range(2)]
    for person in people:
        enrollment_make(session, person, offering)
    window = window_make(session, offering.sessions[0], opens_at=utc_now() - timedelta(minutes=5))
    session.commit()
    return people, window


def _check_in(at, window) -> str:  # type: ignore[no-untyped-def]
    at.text_input(key="checkin_code").input(current_code(window, utc_now()).code)
    at.button(key="checkin_submit").click().run()
    assert not at.exception, at.exception
    return texts(at)


def test_a_database_error_during_check_in_is_told_in_words(live, monkeypatch, log_lines):
    (person, _), window = live
    at = app_as(person, "check_in.py")

    def broken(**_kwargs):  # type: ignore[no-untyped-def]
        raise _operational_error()

    monkeypatch.setattr(checkin, "attendance_code_submit", broken)
    shown = _check_in(at, window)
    assert DATABASE_UNREACHABLE in shown
    _no_leaks(shown, "password_hash", "username_1")
    _shown_once_in_log(shown, log_lines)


def test_a_failed_check_in_is_one_message_while_the_database_stays_down(
    live, monkeypatch, log_lines, reads_clock, through_entry_script
):
    """The action is rolled back, so the page draws from its recent read of Check in rather
    than meet the fault again and show a second error under another id."""
    (person, _), window = live
    at = app_as(person, "check_in.py")

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise _operational_error()

    monkeypatch.setattr(checkin, "attendance_code_submit", broken)
    monkeypatch.setattr(ui, "query", broken)  # any read made afresh would fail too
    shown = _check_in(at, window)
    assert DATABASE_UNREACHABLE in shown
    _shown_once_in_log(shown, log_lines)
    assert "Live now" in shown  # drawn from the recent read


def test_an_unwritable_storage_folder_is_told_in_words(app_env, session, monkeypatch, log_lines):
    instructor = user_make(session, role="instructor")
    offering_make(session, instructors=[instructor])
    session.commit()

    def refused(**_kwargs):  # type: ignore[no-untyped-def]
        path = f"{settings_load().storage_dir}/blobs/ab/abcdef"
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(materials, "material_upload", refused)
    at = app_as(instructor, "materials_manage.py")
    at.button[[b.label for b in at.button].index("Upload")].click().run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert STORAGE_FULL in shown
    _no_leaks(shown, str(settings_load().storage_dir))
    _shown_once_in_log(shown, log_lines)


def test_the_database_goes_away_mid_check_in(
    live, database_url, monkeypatch, session, log_lines, through_entry_script
):
    if not database_url.startswith("postgresql"):
        pytest.skip("the database is taken away through a TCP proxy in front of PostgreSQL")
    (first, second), window = live
    url = make_url(database_url)
    with tcp_proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        monkeypatch.setenv("PORTAL_DATABASE_URL", proxied)
        settings_load.cache_clear()
        told_first = _check_in(app_as(first, "check_in.py"), window)
        assert "You checked in" in told_first
        at = app_as(second, "check_in.py")
        proxy.cut()  # the database goes away while the second person types the code
        shown = _check_in(at, window)
        assert DATABASE_UNREACHABLE in shown and "You checked in" not in shown
        _no_leaks(shown, str(proxy.port), str(url.port), "127.0.0.1", "postgres")
        _shown_once_in_log(shown, log_lines)
        proxy.restore()  # a minute later the person tries again
        assert "You checked in" in _check_in(at.run(), window)
    # Everyone who was told they checked in is checked in.
    checked_in = set(session.scalars(select(Attendance.enrollment_id)))
    assert len(checked_in) == 2


def test_the_server_sends_no_error_details_to_browsers():
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
