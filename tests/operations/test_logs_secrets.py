"""The logs of a run that signs in, locks, invites, resets and mails never hold a secret."""

from __future__ import annotations

import io
import logging
import os
import sys
from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select

from portal.accounts.people import password_reset_send, person_create_invited
from portal.accounts.services import sign_in_check
from portal.accounts.throttle import SignInPolicy
from portal.cli import main as cli
from portal.db import transaction
from portal.logs import logging_configure
from portal.models import AccountToken, OutboxMessage
from portal.settings import settings_load
from tests.browser.server import free_port
from tests.factories import user_make
from tests.operations.test_runbook import Inbox

PASSWORD = "correct horse battery staple"
WRONG = "a wrong but secret guess"
SMTP_PASSWORD = "smtp-secret-9f8e7d"


def test_no_password_token_cookie_or_key_reaches_the_logs(
    app_env, factory, monkeypatch, capsys, caplog
):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    for name, value in {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_TLS": "false",
        "SMTP_PASSWORD": SMTP_PASSWORD,
        "LOG_LEVEL": "DEBUG",
    }.items():
        monkeypatch.setenv(f"PORTAL_{name}", value)  # fmt: skip
    settings_load.cache_clear()
    log = io.StringIO()
    caplog.set_level(logging.DEBUG, logger="portal")
    try:
        logging_configure({"PORTAL_LOG_LEVEL": "DEBUG"}, stream=log)
        with transaction(factory) as session:
            admin = user_make(session, role="admin", username="boss", password=PASSWORD)
            person_create_invited(
                session=session, actor_id=admin.id, username="newcomer",
                email="newcomer@example.org", full_name="New Comer", role="instructor",
                base_url="https://ce.example.org", valid_for=timedelta(days=14),
            )  # fmt: skip
            password_reset_send(
                session=session, actor_id=admin.id, user_id=admin.id,
                base_url="https://ce.example.org", valid_for=timedelta(hours=2),
            )  # fmt: skip
        for attempt in [WRONG] * 6:
            with transaction(factory) as session:
                sign_in_check(
                    session=session, username="boss", password=attempt,
                    client="127.0.0.1", policy=SignInPolicy(),
                )  # fmt: skip
        assert cli.main(["users", "unlock", "boss"]) == 0
        for username in ("boss", PASSWORD):  # a password typed as the username, too
            with transaction(factory) as session:
                sign_in_check(
                    session=session, username=username, password=PASSWORD,
                    client="192.0.2.9", policy=SignInPolicy(),
                )  # fmt: skip
        monkeypatch.setattr(sys, "stdin", io.StringIO(f"{PASSWORD}\n"))
        assert cli.main(["users", "set-password", "boss", "--password-stdin"]) == 0
        assert cli.main(["email", "send"]) == 0
        monkeypatch.setenv(
            "PORTAL_DATABASE_URL", "postgresql://portal:db-secret-5c4b@127.0.0.1:9/x"
        )
        settings_load.cache_clear()
        assert cli.main(["check"]) == 1
    finally:
        controller.stop()
        logging_configure({}, stream=io.StringIO())
    with factory() as session:
        bodies = [m.body for m in session.scalars(select(OutboxMessage))]
        assert session.scalars(select(AccountToken)).first() is not None
    assert len(inbox.messages) == 2
    tokens = [line.split("token=")[1].split()[0] for body in bodies for line in body.splitlines()
              if "token=" in line]  # fmt: skip
    assert len(tokens) == 2
    captured = capsys.readouterr()
    logs = "\n".join([log.getvalue(), caplog.text, captured.err, captured.out])
    assert "sign-in failed" in logs and "sign-in succeeded" in logs
    secrets = [PASSWORD, WRONG, SMTP_PASSWORD, "db-secret-5c4b", os.environ["PORTAL_COOKIE_KEY"]]
    for secret in [*secrets, *tokens]:
        assert secret not in logs
