"""Sending the outbox through SMTP with no database lock held while the server is talked to.

A pass claims a batch of due messages in one short transaction (status 'sending', leased
until next_attempt_at; FOR UPDATE SKIP LOCKED on PostgreSQL, SQLite's write lock for the
instant of the claim), so two senders never claim the same message. It then talks to the
SMTP server with no transaction open, and records each result in its own short transaction
as soon as it is known. A message counts as sent when the server accepts it (its reply to
DATA); what the server answers at QUIT never changes that. A sender killed mid-batch leaves
'sending' messages that a later pass claims again once their lease has ended.

`outbox_send_loop` is the long-running sender (`portal email send --loop`): a database or
SMTP outage is logged and waited out with growing pauses; only a signal ends it.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select, update

from portal.db import SessionFactory, transaction
from portal.logs import logger
from portal.models import OutboxMessage, utc_now
from portal.settings import Settings

log = logger(__name__)

BACKOFF_CAP = timedelta(hours=6)
BATCH = 20
# A claimed message belongs to its sender this long; a few SMTP timeouts per message, so
# that a slow but living sender is never overtaken by a second one.
LEASE_BASE = timedelta(minutes=1)
LEASE_TIMEOUTS_PER_MESSAGE = 3
# Errors after which the same SMTP connection can carry the next message (smtplib resets).
_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
SMTP_ERRORS = (OSError, smtplib.SMTPException)


@dataclass(frozen=True)
class SendReport:
    """What one pass over the queue did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped_reason: str = ""


@dataclass(frozen=True)
class ClaimedMessage:
    """A message this sender holds (status 'sending'), as plain data."""

    id: int
    to_address: str
    subject: str
    body: str
    attempts: int


def smtp_configured(settings: Settings) -> bool:
    """Whether an SMTP server is set; without one (demo) mails stay in the outbox."""
    return bool(settings.smtp_host)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 1, 2, 4 … minutes, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def lease_for(settings: Settings, count: int) -> timedelta:
    """How long a batch of `count` messages stays claimed by one sender."""
    per_message = timedelta(seconds=settings.smtp_timeout_seconds * LEASE_TIMEOUTS_PER_MESSAGE)
    return LEASE_BASE + per_message * count


def email_build(message: ClaimedMessage | OutboxMessage, mail_from: str) -> EmailMessage:
    """The RFC 5322 message for an outbox row (plain text)."""
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = mail_from, message.to_address, message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(message.body)
    return email


def outbox_claim(
    *, factory: SessionFactory, settings: Settings, now: datetime, limit: int
) -> list[ClaimedMessage]:
    """Mark up to `limit` due messages 'sending' for this sender, in one short transaction."""
    with transaction(factory) as session:
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status.in_(("pending", "sending")),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        messages = list(session.scalars(query))
        lease_end = now + lease_for(settings, len(messages))
        for message in messages:
            message.status, message.next_attempt_at = "sending", lease_end
            message.attempts += 1
        return [ClaimedMessage(m.id, m.to_address, m.subject, m.body, m.attempts) for m in messages]


def _record_sent(factory: SessionFactory, message: ClaimedMessage, now: datetime) -> None:
    with transaction(factory) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.status == "sending")
            .values(status="sent", sent_at=now, last_error="")
        )


def _record_failure(
    factory: SessionFactory,
    settings: Settings,
    message: ClaimedMessage,
    error: BaseException,
    now: datetime,
) -> str:
    gave_up = message.attempts >= settings.mail_max_attempts
    values: dict[str, object] = {"last_error": f"{type(error).__name__}: {error}"[:2000]}
    if gave_up:
        values["status"] = "failed"
    else:
        values.update(status="pending", next_attempt_at=now + backoff(message.attempts))
    with transaction(factory) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.status == "sending")
            .values(**values)
        )
    log.warning(
        "mail not delivered",
        extra={
            "outbox_id": message.id,
            "attempts": message.attempts,
            "error": values["last_error"],
        },
    )
    return "failed" if gave_up else "retrying"


def _smtp_open(settings: Settings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
    )
    try:
        if settings.smtp_tls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _smtp_close(smtp: smtplib.SMTP) -> None:
    # Every result is recorded already: a 421 or a dropped line at QUIT changes nothing.
    try:
        code, _ = smtp.quit()
        if code != 221:
            log.info("SMTP server answered QUIT with %s (ignored)", code)
    except SMTP_ERRORS as error:
        log.info("SMTP connection ended with an error at QUIT (ignored): %s", error)
    finally:
        smtp.close()


def _deliver(
    factory: SessionFactory, settings: Settings, claimed: list[ClaimedMessage], now: datetime
) -> list[str]:
    """Send the claimed messages over one connection; each result recorded when known."""
    outcomes: list[str] = []
    smtp: smtplib.SMTP | None = None
    unreachable: BaseException | None = None
    try:
        for message in claimed:
            if unreachable is not None:  # the server refused a connection a moment ago
                outcomes.append(_record_failure(factory, settings, message, unreachable, now))
                continue
            try:
                if smtp is None:
                    smtp = _smtp_open(settings)
            except SMTP_ERRORS as error:
                unreachable = error
                outcomes.append(_record_failure(factory, settings, message, error, now))
                continue
            try:
                smtp.send_message(email_build(message, settings.mail_from))
            except SMTP_ERRORS as error:
                if not isinstance(error, _MESSAGE_ERRORS):
                    smtp.close()  # the connection is in an unknown state: a new one next
                    smtp = None
                outcomes.append(_record_failure(factory, settings, message, error, now))
                continue
            _record_sent(factory, message, now)  # accepted after DATA: delivered
            outcomes.append("sent")
    finally:
        if smtp is not None:
            _smtp_close(smtp)
    return outcomes


def outbox_send_due(
    *, factory: SessionFactory, settings: Settings, now: datetime | None = None, limit: int = 100
) -> SendReport:
    """Send due messages (up to `limit`) batch by batch; failures are kept for a later pass."""
    if not smtp_configured(settings):
        return SendReport(skipped_reason="No SMTP server is configured; mails stay in the outbox.")
    now = now or utc_now()
    outcomes: list[str] = []
    while len(outcomes) < limit:
        batch = min(BATCH, limit - len(outcomes))
        claimed = outbox_claim(factory=factory, settings=settings, now=now, limit=batch)
        if not claimed:
            break
        outcomes += _deliver(factory, settings, claimed, now)
    return SendReport(
        sent=outcomes.count("sent"),
        retrying=outcomes.count("retrying"),
        failed=outcomes.count("failed"),
    )


LOOP_PAUSE_CAP = 300.0


def outbox_send_loop(
    *,
    factory: Callable[[], SessionFactory],
    settings: Settings,
    interval: float,
    stop: threading.Event,
    report: Callable[[SendReport], None] = lambda report: None,
) -> None:
    """Send due mail every `interval` seconds until `stop` is set; outages are waited out.

    `factory` is called again after a failure, so a database that was not reachable when
    the loop started is connected to once it is.
    """
    failures = 0
    sessions: SessionFactory | None = None
    while not stop.is_set():
        try:
            sessions = sessions or factory()
            report(outbox_send_due(factory=sessions, settings=settings))
            failures = 0
            pause = interval
        except Exception:
            failures += 1
            pause = min(interval * 2 ** (failures - 1), LOOP_PAUSE_CAP)
            log.exception(
                "sending mail failed; trying again",
                extra={"retry_in_s": pause, "failures": failures},
            )
        stop.wait(pause)
