"""README's Production section, command by command, on PostgreSQL (no browser).

The commands are read from the README itself, so the runbook and this test cannot drift:
paths under /var are moved into a temporary folder, the database is a fresh PostgreSQL
database, and mail goes to a local SMTP server. The app process is started with the
ExecStart line of deploy/systemd/ce-portal@.service.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
import tomllib
import urllib.request
import uuid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, text

from portal import PROJECT_ROOT
from portal.accounts.services import sign_in_check
from portal.accounts.throttle import SignInPolicy
from portal.accounts.tokens import password_set_with_token
from portal.db import engine_create, session_factory, transaction
from portal.models import User
from portal.settings import DEMO_SIGNATURE
from tests.browser.server import free_port, wait_healthy
from tests.conftest import PG_URL, _pg_admin_engine, _pg_url_for
from tests.smtp_inbox import Inbox

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not PG_URL, reason="the runbook is for PostgreSQL"),
]

README = (PROJECT_ROOT / "README.md").read_text()
UNIT = (PROJECT_ROOT / "deploy" / "systemd" / "ce-portal@.service").read_text()
EXPECTED = [
    "secrets init",
    "check",
    "db upgrade",
    "check",
    "users create",
    "email send",
    "users set-password",
    "users unlock",
    "backup",
    "restore",
    "backup",
    "db upgrade",
    "secrets init --rotate",
]


def _section() -> str:
    return README.split("## Production", 1)[1].split("\n## ", 1)[0]


def _portal_commands() -> list[str]:
    lines = [line.strip() for line in _section().splitlines() if line.startswith("    ")]
    return [line for line in lines if line.startswith(".venv/bin/portal ")]


def _settings_lines() -> list[str]:
    return [line.strip() for line in _section().splitlines() if re.match(r"^    [a-z_]+ = ", line)]


def _empty_database() -> str:
    name = f"portal_rb_{uuid.uuid4().hex[:10]}"
    with _pg_admin_engine().connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return name


def _drop(name: str) -> None:
    with _pg_admin_engine().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Operator:
    """Runs the README's commands in the checkout, with /var moved into a folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        self.env["PORTAL_SECRETS_FILE"] = str(root / "secrets.toml")

    def local(self, word: str) -> str:
        return word.replace("/var/", f"{self.root}/var/")

    def run(self, command: str, **env: str) -> subprocess.CompletedProcess[str]:
        words = shlex.split(command)
        stdin = None
        if "<" in words:
            at = words.index("<")
            stdin = (self.root / words[at + 1]).read_text()
            words = words[:at]
        assert words[0] == ".venv/bin/portal"
        argv = [sys.executable, "-m", "portal.cli.main", *map(self.local, words[1:])]
        result = subprocess.run(
            argv,
            cwd=PROJECT_ROOT,
            env={**self.env, **env},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result


def _configure(operator: Operator, database_url: str, smtp_port: int) -> None:
    (operator.root / "var/lib/ce-portal/storage").mkdir(parents=True)
    (operator.root / "var/backups/ce-portal").mkdir(parents=True)
    signature = operator.root / "var/lib/ce-portal/signature.png"
    signature.write_bytes(DEMO_SIGNATURE.read_bytes())  # a real image at the README's path
    lines = []
    for line in _settings_lines():
        key = line.split(" = ")[0]
        if key in ("smtp_user", "smtp_password"):
            continue  # the local SMTP server takes mail without a login
        if key == "database_url":
            line = f'database_url = "{database_url}"'
        if key == "smtp_host":
            line = f'smtp_host = "127.0.0.1"\nsmtp_port = {smtp_port}\nsmtp_tls = false'
        lines.append(operator.local(line))
    path = operator.root / "secrets.toml"
    path.write_text(path.read_text() + "\n".join(lines) + "\n")


def _invitation_token(inbox: Inbox) -> str:
    body = inbox.messages[-1].get_payload(decode=True).decode()
    assert "https://ce.example.org/" in body
    return re.search(r"token=([\w-]+)", body).group(1)


def _server(operator: Operator, port: int) -> subprocess.Popen[bytes]:
    exec_start = re.search(r"^ExecStart=(.*)$", UNIT, re.M).group(1)
    words = shlex.split(exec_start.replace("%i", str(port)))
    assert words[0] == "/opt/ce-portal/.venv/bin/streamlit"
    assert words[words.index("--server.address") + 1] == "127.0.0.1"
    env_line = re.search(r"^Environment=(\w+)=(\w+)$", UNIT, re.M)
    env = {**operator.env, env_line.group(1): env_line.group(2)}
    with (operator.root / "server.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "streamlit", *words[1:]],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def test_the_production_runbook(tmp_path):
    commands = _portal_commands()
    names = [c.removeprefix(".venv/bin/portal ") for c in commands]
    assert len(names) == len(EXPECTED)
    for name, expected in zip(names, EXPECTED, strict=True):
        assert name.startswith(expected), (name, expected)
    steps = iter(commands)

    inbox = Inbox()
    smtp_port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    first, second = _empty_database(), _empty_database()
    operator = Operator(tmp_path)
    try:
        # 3. Settings and the cookie key
        assert operator.run(next(steps)).returncode == 0
        secrets_path = tmp_path / "secrets.toml"
        assert stat.S_IMODE(secrets_path.stat().st_mode) == 0o600
        key = tomllib.loads(secrets_path.read_text())["cookie_key"]
        _configure(operator, _pg_url_for(first), smtp_port)

        # 4. Check and create the schema
        before = operator.run(next(steps))
        assert before.returncode == 1
        assert before.stderr.splitlines() == [
            "PORTAL_DATABASE_URL: the database is empty: run `portal db upgrade`."
        ]
        assert operator.run(next(steps)).returncode == 0
        ready = operator.run(next(steps))
        assert ready.returncode == 0, ready.stderr

        # 5. The first admin, by invitation
        assert operator.run(next(steps)).returncode == 0
        assert operator.run(next(steps)).returncode == 0
        assert len(inbox.messages) == 1
        engine = engine_create(_pg_url_for(first))
        try:
            with transaction(session_factory(engine)) as session:
                password_set_with_token(
                    session=session,
                    token=_invitation_token(inbox),
                    password="a long office passphrase",
                    repeat="a long office passphrase",
                )
            with transaction(session_factory(engine)) as session:
                admin = sign_in_check(
                    session=session,
                    username="office",
                    password="a long office passphrase",
                    client="127.0.0.1",
                    policy=SignInPolicy(),
                ).user_id
                assert session.get(User, admin).role == "admin"
        finally:
            engine.dispose()

        # 6. The app process as its systemd unit starts it; readiness
        port = free_port()
        server = _server(operator, port)
        try:
            wait_healthy(f"http://127.0.0.1:{port}", server, tmp_path / "server.log")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
                assert page.status == 200
            assert operator.run(".venv/bin/portal check --ready").stdout.strip() == "ready"
        finally:
            server.terminate()
            server.wait(timeout=30)
        assert "Traceback" not in (tmp_path / "server.log").read_text()

        # 8. Accounts
        (tmp_path / "new-password.txt").write_text("another long passphrase\n")
        assert operator.run(next(steps)).returncode == 0
        assert operator.run(next(steps)).returncode == 0

        # 9. Backup, then restore into a new empty database and storage folder
        assert operator.run(next(steps)).returncode == 0
        elsewhere = {
            "PORTAL_DATABASE_URL": _pg_url_for(second),
            "PORTAL_STORAGE_DIR": str(tmp_path / "elsewhere" / "storage"),
        }
        restored = operator.run(next(steps), **elsewhere)
        assert restored.returncode == 0, restored.stderr
        assert operator.run(".venv/bin/portal check", **elsewhere).returncode == 0
        engine = engine_create(_pg_url_for(second))
        try:
            with engine.connect() as conn:
                assert conn.scalar(select(User.role).where(User.username == "office")) == "admin"
        finally:
            engine.dispose()

        # 10. Upgrade: backup, db upgrade
        assert operator.run(next(steps)).returncode == 0
        assert operator.run(next(steps)).returncode == 0

        # 11. Rotating the cookie key
        assert operator.run(next(steps)).returncode == 0
        assert tomllib.loads(secrets_path.read_text())["cookie_key"] != key
    finally:
        controller.stop()
        _drop(first)
        _drop(second)
