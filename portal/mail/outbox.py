"""The email outbox: messages are queued in the database inside the action's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.authz import admin_check
from portal.errors import NotFound
from portal.models import OutboxMessage, User, utc_now

SIGNATURE = "\n\n-- \nThe CE office\n"


def mail_enqueue(
    *, session: Session, kind: str, to_address: str, subject: str, body: str, user_id: int | None
) -> OutboxMessage:
    """Queue one email; it is sent only if the surrounding transaction commits.

    The subject becomes one line (a line break in a name or title cannot start a header of
    its own), and an address that is not exactly one mailbox (an address stored before
    addresses were validated, "a@x.org, b@y.org") is kept failed, never sent, for the CE
    office to see in the Outbox.
    """
    one_recipient = _one_mailbox(to_address)
    message = OutboxMessage(
        kind=kind,
        to_address=to_address[:254],
        subject=" ".join(subject.split())[:300],
        body=body + SIGNATURE,
        user_id=user_id,
        next_attempt_at=utc_now(),
        status="pending" if one_recipient else "failed",
        last_error="" if one_recipient else "The address is not exactly one email address.",
    )
    session.add(message)
    session.flush()
    return message


def _one_mailbox(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _to_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such person.")
    return user


def mail_registration(*, session: Session, user_id: int) -> OutboxMessage:
    """'Your account is ready' after someone registers."""
    user = _to_user(session, user_id)
    body = (
        f"Dear {user.full_name},\n\nyour account on the CE portal is ready. Your username is "
        f"{user.username}.\n\nYour certificates will show your name as: {user.full_name}. "
        "If that is not exactly right, correct it on your profile page."
    )
    return mail_enqueue(
        session=session,
        kind="registration",
        to_address=user.email,
        subject="Your CE portal account",
        body=body,
        user_id=user.id,
    )


def mail_enrollment(
    *, session: Session, user_id: int, course_title: str, offering_label: str, fee: str
) -> OutboxMessage:
    """Registration confirmation for an offering, with the fee that applies."""
    user = _to_user(session, user_id)
    body = (
        f"Dear {user.full_name},\n\nyou are registered for {course_title} ({offering_label}).\n"
        f"Registration fee: {fee} (CE fees included). The CE office records your payment; "
        "the portal shows what you owe and your cancellation options."
    )
    return mail_enqueue(
        session=session,
        kind="enrollment",
        to_address=user.email,
        subject=f"Registration confirmed: {course_title}",
        body=body,
        user_id=user.id,
    )


def mail_set_password_link(
    *, session: Session, user_id: int, purpose: str, link: str, valid_for: str
) -> OutboxMessage:
    """An invitation or password-reset email carrying a one-time set-password link."""
    user = _to_user(session, user_id)
    if purpose == "invite":
        subject = "You are invited to the CE portal"
        opening = (
            f"an account has been created for you on the CE portal (username {user.username})."
        )
    else:
        subject = "Reset your CE portal password"
        opening = "the CE office sent you a link to choose a new password."
    body = (
        f"Dear {user.full_name},\n\n{opening}\n\nChoose your password here (the link works once "
        f"and expires in {valid_for}):\n{link}\n\nIf you did not expect this email, ignore it."
    )
    return mail_enqueue(
        session=session,
        kind=purpose,
        to_address=user.email,
        subject=subject,
        body=body,
        user_id=user.id,
    )


def mail_certificate_ready(
    *, session: Session, user_id: int, course_title: str, link: str
) -> OutboxMessage:
    """'Your certificate is ready' (called by the certificates capability)."""
    user = _to_user(session, user_id)
    body = (
        f"Dear {user.full_name},\n\nyour certificate for {course_title} is ready. "
        f"Download it from the portal:\n{link}"
    )
    return mail_enqueue(
        session=session,
        kind="certificate",
        to_address=user.email,
        subject=f"Your certificate: {course_title}",
        body=body,
        user_id=user.id,
    )


@dataclass(frozen=True)
class OutboxView:
    """One queued or sent email, as the admin outbox page shows it."""

    id: int
    kind: str
    to_address: str
    subject: str
    body: str
    created_at: datetime
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    sent_at: datetime | None


def outbox_list(session: Session, status: str | None = None, limit: int = 200) -> list[OutboxView]:
    """The newest messages first, optionally of one status."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == status)
    return [
        OutboxView(
            m.id,
            m.kind,
            m.to_address,
            m.subject,
            m.body,
            m.created_at,
            m.status,
            m.attempts,
            m.next_attempt_at,
            m.last_error,
            m.sent_at,
        )
        for m in session.scalars(query)
    ]


def outbox_retry(*, session: Session, actor_id: int, message_id: int) -> None:
    """Put a failed message back in the queue, due now (admins)."""
    admin_check(session, actor_id)
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("No such message.")
    if message.status == "failed":
        message.status, message.attempts, message.next_attempt_at = "pending", 0, utc_now()
