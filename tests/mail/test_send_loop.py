"""`portal email send --loop` waits out database and SMTP outages and stops only on a signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import make_url

from portal import PROJECT_ROOT
from portal.db import engine_create, session_factory, transaction
from portal.mail.outbox import mail_enqueue
from tests.mail.test_sender_faults import Inbox, _free_port
from tests.tcp_proxy import tcp_proxy

FAILED = "sending mail failed; trying again"  # logged on each failed pass
PASS = "Sent "  # printed after each pass that reached the database


def _queue(database_url: str, subject: str) -> None:
    engine = engine_create(database_url)
    try:
        with transaction(session_factory(engine)) as session:
            mail_enqueue(
                session=session,
                kind="test",
                to_address="pat@example.org",
                subject=subject,
                body="Body",
                user_id=None,
            )
    finally:
        engine.dispose()


def _loop_start(database_url: str, smtp_port: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        PORTAL_ENV="test",
        PORTAL_DATABASE_URL=database_url,
        PORTAL_SECRETS_FILE=str(log.parent / "no-secrets.toml"),
        PORTAL_SMTP_HOST="127.0.0.1",
        PORTAL_SMTP_PORT=str(smtp_port),
        PORTAL_SMTP_TLS="false",
        PORTAL_SMTP_TIMEOUT_SECONDS="3",
    )
    command = [sys.executable, "-m", "portal.cli.main", "email", "send", "--loop"]
    with log.open("wb") as out:
        return subprocess.Popen(
            [*command, "--interval", "0.2"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_for(condition, seconds: float, what: str, log: Path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen in {seconds} s:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()


def test_the_loop_survives_a_database_outage_and_an_smtp_outage(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("the database is taken away through a TCP proxy in front of PostgreSQL")
    url = make_url(database_url)
    smtp_port, inbox, log = _free_port(), Inbox(), tmp_path / "loop.log"
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    with tcp_proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        process = _loop_start(proxied, smtp_port, log)
        try:
            _queue(database_url, "Before")
            _wait_for(lambda: len(inbox.messages) == 1, 60, "the first delivery", log)
            failed = log.read_text().count(FAILED)
            proxy.cut()  # the database goes away until the loop has failed and tried again
            _wait_for(lambda: log.read_text().count(FAILED) >= failed + 2, 60, "retries", log)
            assert process.poll() is None, log.read_text()
            proxy.restore()
            _queue(database_url, "After the database came back")
            _wait_for(lambda: len(inbox.messages) == 2, 60, "delivery after the outage", log)
            controller.stop()  # now the SMTP server goes away
            passes = log.read_text().count(PASS)
            _queue(database_url, "While the mail server was away")
            _wait_for(lambda: "retrying later 1" in log.read_text(), 60, "a deferral", log)
            # ... and the loop goes on after it.
            _wait_for(lambda: log.read_text().count(PASS) >= passes + 2, 60, "a next pass", log)
            assert process.poll() is None, log.read_text()
            controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
            controller.start()
            assert _stop(process) == 0
        finally:
            if process.poll() is None:
                process.kill()
            controller.stop()
    output = log.read_text()
    assert FAILED in output
    assert "Traceback" not in output.split("sending mail failed")[0]
    assert [m["Subject"] for m in inbox.messages] == ["Before", "After the database came back"]


def test_the_loop_starts_while_the_database_is_not_there_yet(tmp_path):
    missing = tmp_path / "volume-not-mounted-yet"
    database_url = f"sqlite:///{missing / 'portal.sqlite3'}"
    smtp_port, inbox, log = _free_port(), Inbox(), tmp_path / "loop.log"
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    process = _loop_start(database_url, smtp_port, log)
    try:
        _wait_for(lambda: "trying again" in log.read_text(), 60, "a logged failure", log)
        assert process.poll() is None
        missing.mkdir()
        _wait_for(lambda: "Sent 0" in log.read_text(), 60, "a pass on the new database", log)
        _queue(database_url, "Hello")
        _wait_for(lambda: len(inbox.messages) == 1, 60, "the delivery", log)
        assert _stop(process) == 0
    finally:
        if process.poll() is None:
            process.kill()
        controller.stop()
