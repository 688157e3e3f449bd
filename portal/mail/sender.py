"""Sending the outbox through SMTP: each message in its own transaction, retried with backoff.

Every process may run this (cron `portal email send`, the outbox page): a message is
locked while it is sent (FOR UPDATE SKIP LOCKED on PostgreSQL, the write lock on SQLite),
so two senders never send the same message.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select

from portal.db import SessionFactory, transaction
from portal.models import OutboxMessage, utc_now
from portal.settings import Settings

BACKOFF_CAP = timedelta(hours=6)


@dataclass(frozen=True)
class SendReport:
    """What one pass over the queue did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped_reason: str = ""


def smtp_configured(settings: Settings) -> bool:
    """Whether an SMTP server is set; without one (demo) mails stay in the outbox."""
    return bool(settings.smtp_host)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 1, 2, 4 … minutes, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def email_build(message: OutboxMessage, mail_from: str) -> EmailMessage:
    """The RFC 5322 message for an outbox row (plain text)."""
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = mail_from, message.to_address, message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(message.body)
    return email


def _smtp_send(settings: Settings, email: EmailMessage) -> None:
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
    ) as smtp:
        if settings.smtp_tls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(email)


def _due_ids(factory: SessionFactory, now: datetime, limit: int) -> list[int]:
    with factory() as session:
        query = (
            select(OutboxMessage.id)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return list(session.scalars(query))


def _send_one(factory: SessionFactory, settings: Settings, message_id: int, now: datetime) -> str:
    """Send one message; 'sent', 'retrying', 'failed' or 'busy' (another sender has it)."""
    with transaction(factory) as session:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending")
            .with_for_update(skip_locked=True)
        )
        message = session.scalar(query)
        if message is None:
            return "busy"
        try:
            _smtp_send(settings, email_build(message, settings.mail_from))
        except (OSError, smtplib.SMTPException) as error:
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= settings.mail_max_attempts:
                message.status = "failed"
                return "failed"
            message.next_attempt_at = now + backoff(message.attempts)
            return "retrying"
        message.attempts += 1
        message.status, message.sent_at, message.last_error = "sent", now, ""
        return "sent"


def outbox_send_due(
    *, factory: SessionFactory, settings: Settings, now: datetime | None = None, limit: int = 100
) -> SendReport:
    """Send every due message once; failures are kept for a later pass."""
    if not smtp_configured(settings):
        return SendReport(skipped_reason="No SMTP server is configured; mails stay in the outbox.")
    now = now or utc_now()
    outcomes = [_send_one(factory, settings, i, now) for i in _due_ids(factory, now, limit)]
    return SendReport(
        sent=outcomes.count("sent"),
        retrying=outcomes.count("retrying"),
        failed=outcomes.count("failed"),
    )
