"""`portal secrets init`, operator account commands and the mail sender as a service."""

from __future__ import annotations

import io
import signal
import stat
import subprocess
import sys
import time
import tomllib
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import PROJECT_ROOT
from portal.cli import main as cli
from portal.models import OutboxMessage, User, utc_now
from tests.factories import user_make


def _key(path) -> str:
    return tomllib.loads(path.read_text())["cookie_key"]


def test_secrets_init_writes_a_private_key_once(app_env, tmp_path, monkeypatch, capsys):
    path = tmp_path / "conf" / "secrets.toml"
    monkeypatch.setenv("PORTAL_SECRETS_FILE", str(path))
    assert cli.main(["secrets", "init"]) == 0
    first = _key(path)
    assert len(first) >= 60
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cli.main(["secrets", "init"]) == 2
    assert "already has a cookie key" in capsys.readouterr().err
    assert _key(path) == first


def test_rotation_replaces_only_the_key(app_env, tmp_path, monkeypatch):
    path = tmp_path / "secrets.toml"
    path.write_text('public_base_url = "https://ce.example.org"\n\n[extra]\nx = 1\n')
    monkeypatch.setenv("PORTAL_SECRETS_FILE", str(path))
    assert cli.main(["secrets", "init"]) == 0
    first = _key(path)
    assert cli.main(["secrets", "init", "--rotate"]) == 0
    values = tomllib.loads(path.read_text())
    assert values["cookie_key"] not in ("", first)
    assert values["public_base_url"] == "https://ce.example.org" and values["extra"] == {"x": 1}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_first_admin_by_invitation(app_env, factory, capsys):
    code = cli.main(["users", "create", "--role", "admin", "--username", "office",
                     "--email", "office@example.org", "--name", "CE Office", "--invite"])  # fmt: skip
    assert code == 0
    assert "invitation to office@example.org is in the outbox" in capsys.readouterr().out
    with factory() as session:
        mail = session.scalars(select(OutboxMessage)).one()
        assert mail.kind == "invite" and mail.to_address == "office@example.org"
        assert "/set_password?token=" in mail.body or "token=" in mail.body


def test_set_password_and_unlock(app_env, factory, monkeypatch, capsys):
    with factory.begin() as session:
        locked = user_make(session, role="admin", username="soleadmin")
        locked.locked_until = utc_now() + timedelta(minutes=10)
        locked.failed_sign_ins = 3
    assert cli.main(["users", "unlock", "soleadmin"]) == 0
    with factory() as session:
        user = session.scalars(select(User).where(User.username == "soleadmin")).one()
        assert user.locked_until is None and user.failed_sign_ins == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("a brand new passphrase\n"))
    assert cli.main(["users", "set-password", "soleadmin", "--password-stdin"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert cli.main(["users", "set-password", "soleadmin", "--password-stdin"]) == 2
    assert cli.main(["users", "unlock", "nobody-here"]) == 2
    assert "No account has the username 'nobody-here'" in capsys.readouterr().err


@pytest.mark.slow
def test_the_mail_sender_without_smtp_keeps_running_until_stopped(app_env, tmp_path):
    log = tmp_path / "sender.log"
    with log.open("w") as out:
        sender = subprocess.Popen(
            [sys.executable, "-m", "portal.cli.main", "email", "send", "--loop", "--interval",
             "0.2"],
            cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while "mail waits in the outbox" not in log.read_text():
                assert sender.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            time.sleep(1)
            assert sender.poll() is None, log.read_text()
        finally:
            sender.send_signal(signal.SIGTERM)
            code = sender.wait(timeout=30)
    assert code == 0
    assert "WARNING portal.cli.mail" in log.read_text() and "Traceback" not in log.read_text()


def test_the_mail_interval_must_be_positive(capsys):
    with pytest.raises(SystemExit):
        cli.main(["email", "send", "--loop", "--interval", "0"])
    assert "above 0" in capsys.readouterr().err
