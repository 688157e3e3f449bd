"""What a rerun of Check in costs the database: a few statements on one connection.

Three hundred participants rerun this page within a minute of each other; every statement
and every connection checkout is paid on each of those runs.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.pool import Pool

from portal.models import utc_now
from portal.recent_reads import RECENT_SECONDS
from tests.apptest import app_as, texts
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import attendance_make, window_make

# Once the recent reads have expired: the person (1), then one read: the person with licenses, the enrollments with offering,
# course and sessions, the attendance of every enrollment, the open code windows of every
# live session, and correction requests. None of them is repeated per enrollment or session.
STATEMENTS_PER_RERUN = 6


def _the_apps() -> bool:
    """Not the test run's own threads that prepare PostgreSQL databases for later tests
    (tests/conftest.py): their CREATE DATABASE is no statement of the page's."""
    return not threading.current_thread().name.startswith("pg-database-pool")


@pytest.fixture
def database_use():
    """Statements sent and connections checked out while the test runs."""
    seen: dict[str, list[str]] = {"statements": [], "checkouts": []}

    def statement(conn, cursor, text, parameters, context, executemany):  # type: ignore[no-untyped-def]
        # SQLite's BEGIN IMMEDIATE opens each transaction.
        if _the_apps() and not text.startswith("BEGIN"):
            seen["statements"].append(text)

    def checkout(dbapi_connection, record, proxy):  # type: ignore[no-untyped-def]
        if _the_apps():
            seen["checkouts"].append("checkout")

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Pool, "checkout", checkout)
    yield seen
    event.remove(Engine, "before_cursor_execute", statement)
    event.remove(Pool, "checkout", checkout)


def test_a_check_in_rerun_sends_few_statements_on_one_connection(
    app_env, session, database_use, through_entry_script, reads_clock
):
    person = user_make(session)
    for _ in range(2):  # two offerings, the first session of each live now
        offering = offering_make(session)
        enrollment = enrollment_make(session, person, offering)
        window_make(session, offering.sessions[0])
        attendance_make(session, enrollment, offering.sessions[0], checked_in_at=utc_now())
    session.commit()
    at = app_as(person, "check_in.py")
    assert "Check-in is open" in texts(at)
    for seen in database_use.values():
        seen.clear()
    at.run()  # a rerun within a few seconds (portal.recent_reads): nothing is read again
    assert not at.exception
    assert "Check-in is open" in texts(at) and "Checked in:" in texts(at)
    assert database_use["statements"] == []
    reads_clock[0] += RECENT_SECONDS
    at.run()  # a rerun once those seconds have passed, as any click on it causes
    assert not at.exception
    assert "Check-in is open" in texts(at) and "Checked in:" in texts(at)
    statements = database_use["statements"]
    assert len(statements) <= STATEMENTS_PER_RERUN, "\n".join(statements)
    assert len(database_use["checkouts"]) == 1
