"""Delivery under misbehaving SMTP servers: a 421 at QUIT, a slow server, a dying server.

Each message is recorded as sent once the server accepts it (its reply to DATA), in its own
short transaction; the SMTP conversation holds no database lock, so SQLite writers carry on.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from sqlalchemy import select

from portal.accounts.services import sign_in_record
from portal.accounts.throttle import SignInPolicy
from portal.attendance.checkin import attendance_code_submit
from portal.attendance.codes import current_code
from portal.db import transaction
from portal.mail.outbox import mail_enqueue
from portal.mail.sender import outbox_claim, outbox_send_due
from portal.models import OutboxMessage, utc_now
from portal.settings import Settings
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import window_make
from tests.smtp_inbox import Inbox


class QuitWith421(SMTP):
    """A server that accepts mail, then answers QUIT with 421 (common in the wild)."""

    async def smtp_QUIT(self, arg):  # type: ignore[no-untyped-def]
        await self.push("421 4.3.2 Service shutting down")
        self.transport.close()


class QuitWith421Controller(Controller):
    def factory(self):  # type: ignore[no-untyped-def]
        return QuitWith421(self.handler, **self.SMTP_kwargs)


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
        smtp_timeout_seconds=10,
        mail_from="CE Office <ce@example.org>",
        **overrides,
    )


def _queue(factory, count: int) -> list[int]:
    with transaction(factory) as session:
        return [
            mail_enqueue(
                session=session,
                kind="test",
                to_address=f"p{n}@example.org",
                subject=f"Message {n}",
                body="Body",
                user_id=None,
            ).id
            for n in range(count)
        ]


def _statuses(factory) -> list[str]:
    with factory() as session:
        return list(session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_a_421_at_quit_never_sends_a_delivered_message_again(factory):
    port = _free_port()
    inbox = Inbox()
    controller = QuitWith421Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _queue(factory, 5)
        now = utc_now()
        report = outbox_send_due(factory=factory, settings=_settings(port), now=now)
        assert (report.sent, report.retrying, report.failed) == (5, 0, 0)
        for hours in (1, 7, 30):  # every later pass, after any backoff
            later = now + timedelta(hours=hours)
            assert outbox_send_due(factory=factory, settings=_settings(port), now=later).sent == 0
    finally:
        controller.stop()
    assert sorted(m["Subject"] for m in inbox.messages) == [f"Message {n}" for n in range(5)]
    assert _statuses(factory) == ["sent"] * 5


def test_a_refused_recipient_fails_alone_and_the_rest_go_through(factory):
    class RefuseSecond:
        def __init__(self) -> None:
            self.messages: list = []

        async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
            if address.startswith("p1@"):
                return "550 5.1.1 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            self.messages.append(envelope.rcpt_tos[0])
            return "250 OK"

    port = _free_port()
    handler = RefuseSecond()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _queue(factory, 3)
        report = outbox_send_due(factory=factory, settings=_settings(port))
    finally:
        controller.stop()
    assert (report.sent, report.retrying) == (2, 1)
    assert handler.messages == ["p0@example.org", "p2@example.org"]
    assert _statuses(factory) == ["sent", "pending", "sent"]


def test_claimed_messages_are_not_claimed_twice_until_the_lease_ends(factory):
    _queue(factory, 3)
    settings = _settings(_free_port())
    now = utc_now()
    first = outbox_claim(factory=factory, settings=settings, now=now, limit=2)
    second = outbox_claim(factory=factory, settings=settings, now=now, limit=10)
    assert [m.id for m in first] + [m.id for m in second] == sorted(m.id for m in first + second)
    assert len(first) == 2 and len(second) == 1
    assert outbox_claim(factory=factory, settings=settings, now=now, limit=10) == []
    # A sender that died mid-batch: its messages come back once the lease has ended.
    later = now + timedelta(hours=1)
    again = outbox_claim(factory=factory, settings=settings, now=later, limit=10)
    assert sorted(m.id for m in again) == sorted(m.id for m in first + second)
    assert all(m.attempts == 2 for m in again)


START = datetime(2023, 5, 18, 16, 0, tzinfo=UTC)


def test_sign_ins_and_check_ins_go_through_while_a_slow_server_takes_mail(
    database_url, session, factory
):
    if not database_url.startswith("sqlite"):
        pytest.skip("the write lock held during sending is SQLite's")
    offering = offering_make(session, sessions=[(START, START + timedelta(hours=3))])
    people = [user_make(session) for _ in range(4)]
    for person in people:
        enrollment_make(session, person, offering)
    window = window_make(session, offering.sessions[0], opens_at=START - timedelta(minutes=10))
    session.commit()
    port = _free_port()
    # Far longer than any pause of a loaded machine: a write that waits for a send waits this.
    inbox = Inbox(data_delay=5.0)  # seconds per message
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    _queue(factory, 2)
    sender = threading.Thread(
        target=outbox_send_due, kwargs={"factory": factory, "settings": _settings(port)}
    )
    try:
        sender.start()
        assert inbox.receiving.wait(timeout=60), "the sender never reached the server"
        now = START + timedelta(minutes=2)
        code = current_code(window, now).code
        for person in people:
            with transaction(factory) as s:
                sign_in_record(
                    session=s,
                    username=person.username,
                    client="198.51.100.7",
                    succeeded=True,
                    policy=SignInPolicy(),
                    now=now,
                )
            with transaction(factory) as s:
                assert attendance_code_submit(session=s, user_id=person.id, code=code, now=now).ok
        # Every sign-in and check-in went through while the server still held the first
        # message: the sender keeps no write lock while it talks to the server.
        assert inbox.messages == [], "a sign-in or check-in waited for a message to be sent"
        sender.join(timeout=60)
    finally:
        controller.stop()
    assert len(inbox.messages) == 2 and _statuses(factory) == ["sent"] * 2


class SlowQuit(SMTP):
    """A server that takes its time to answer QUIT, after accepting every message."""

    async def smtp_QUIT(self, arg):  # type: ignore[no-untyped-def]
        await asyncio.sleep(3)
        await super().smtp_QUIT(arg)


class SlowQuitController(Controller):
    def factory(self):  # type: ignore[no-untyped-def]
        return SlowQuit(self.handler, **self.SMTP_kwargs)


def test_delivered_mail_is_recorded_before_quit_is_answered(factory):
    port = _free_port()
    inbox = Inbox()
    controller = SlowQuitController(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    _queue(factory, 2)
    sender = threading.Thread(
        target=outbox_send_due, kwargs={"factory": factory, "settings": _settings(port)}
    )
    try:
        sender.start()
        deadline = time.monotonic() + 10
        while len(inbox.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        # A sender killed now, while QUIT is unanswered, has recorded both as sent already.
        assert sender.is_alive() and _statuses(factory) == ["sent", "sent"]
        sender.join(timeout=30)
    finally:
        controller.stop()
