"""The outbox with a real local SMTP server (aiosmtpd): down, then up; nothing is lost."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from portal.db import transaction
from portal.mail.outbox import mail_enqueue, outbox_list, outbox_retry
from portal.mail.sender import backoff, outbox_send_due
from portal.models import OutboxMessage, utc_now
from portal.settings import Settings
from tests.factories import user_make
from tests.smtp_inbox import Inbox


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(port: int, **overrides) -> Settings:
    return Settings(
        env="test",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_tls=False,
        smtp_timeout_seconds=5,
        mail_from="CE Office <ce@example.org>",
        **overrides,
    )


def _queue(factory, subject="Hello"):
    with transaction(factory) as session:
        return mail_enqueue(
            session=session,
            kind="test",
            to_address="pat@example.org",
            subject=subject,
            body="Body text ✓",
            user_id=None,
        ).id


def test_server_down_then_up_loses_nothing(factory):
    port = _free_port()
    settings = _settings(port)
    message_id = _queue(factory)
    now = utc_now()
    report = outbox_send_due(factory=factory, settings=settings, now=now)
    assert (report.sent, report.retrying) == (0, 1)
    with factory() as session:
        row = session.get(OutboxMessage, message_id)
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.next_attempt_at == now + backoff(1) and row.last_error
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        early = outbox_send_due(factory=factory, settings=settings, now=now + timedelta(seconds=30))
        assert early.sent == 0  # backing off: not due yet
        report = outbox_send_due(factory=factory, settings=settings, now=now + timedelta(minutes=2))
        assert report.sent == 1
        again = outbox_send_due(factory=factory, settings=settings, now=now + timedelta(minutes=3))
        assert again.sent == 0  # sent once only
    finally:
        controller.stop()
    [mail] = inbox.messages
    assert mail["Subject"] == "Hello" and mail["To"] == "pat@example.org"
    assert "Body text ✓" in mail.get_payload(decode=True).decode()
    with factory() as session:
        row = session.get(OutboxMessage, message_id)
        assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")


def test_gives_up_after_max_attempts_and_can_be_retried(factory):
    settings = _settings(_free_port(), mail_max_attempts=2)
    message_id = _queue(factory)
    now = utc_now()
    outbox_send_due(factory=factory, settings=settings, now=now)
    report = outbox_send_due(factory=factory, settings=settings, now=now + timedelta(hours=1))
    assert report.failed == 1
    with factory() as session:
        assert session.get(OutboxMessage, message_id).status == "failed"
        assert [m.status for m in outbox_list(session)] == ["failed"]
    with transaction(factory) as session:
        admin = user_make(session, role="admin")
        outbox_retry(session=session, actor_id=admin.id, message_id=message_id)
    with factory() as session:
        row = session.get(OutboxMessage, message_id)
        assert (row.status, row.attempts) == ("pending", 0)


def test_without_smtp_mail_stays_in_the_outbox(factory):
    _queue(factory)
    report = outbox_send_due(factory=factory, settings=Settings(env="demo", smtp_host=""))
    assert report.skipped_reason and report.sent == 0
    with factory() as session:
        assert session.scalars(select(OutboxMessage.status)).all() == ["pending"]


def test_a_rolled_back_action_queues_no_mail(factory):
    with pytest.raises(RuntimeError), transaction(factory) as session:
        mail_enqueue(
            session=session,
            kind="test",
            to_address="a@example.org",
            subject="x",
            body="y",
            user_id=None,
        )
        raise RuntimeError("the action failed")
    with factory() as session:
        assert session.scalars(select(OutboxMessage)).all() == []


def test_backoff_grows_and_is_capped():
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3)] == [1, 2, 4]
    assert backoff(30) == timedelta(hours=6)
