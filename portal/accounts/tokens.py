"""One-time set-password links: random tokens stored as SHA-256, single use, expiring."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.accounts.passwords import password_hash, password_problem
from portal.errors import FieldErrors, PortalError
from portal.models import AccountToken, User, utc_now
from portal.records.audit import audit_record

INVALID_LINK = "This link is invalid, already used or expired. Ask the CE office for a new one."


def token_digest(token: str) -> str:
    """The SHA-256 hex digest stored in place of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def set_password_link(base_url: str, token: str) -> str:
    """The public set-password page with the token in its query string."""
    return f"{base_url.rstrip('/')}/set_password?token={token}"


def token_issue(
    *, session: Session, user_id: int, purpose: str, valid_for: timedelta, now: datetime
) -> str:
    """A new token for the person; earlier unused tokens of that purpose stop working."""
    session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user_id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            user_id=user_id,
            purpose=purpose,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    return token


def _usable(session: Session, token: str, now: datetime, lock: bool = False) -> AccountToken | None:
    query = select(AccountToken).where(AccountToken.token_hash == token_digest(token))
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


@dataclass(frozen=True)
class TokenView:
    """Who a valid link is for (shown on the set-password page)."""

    username: str
    full_name: str
    purpose: str


def token_check(session: Session, token: str, now: datetime | None = None) -> TokenView | None:
    """The person a usable token belongs to, or None."""
    row = _usable(session, token, now or utc_now())
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return TokenView(user.username, user.full_name, row.purpose)


def password_set_with_token(
    *, session: Session, token: str, password: str, repeat: str, now: datetime | None = None
) -> int:
    """Set a new password through a one-time link; the user id. Other sign-ins end."""
    now = now or utc_now()
    row = _usable(session, token, now, lock=True)
    user = session.get(User, row.user_id) if row else None
    if row is None or user is None or not user.is_active:
        raise PortalError(INVALID_LINK)
    if problem := password_problem(password):
        raise FieldErrors({"password": problem})
    if password != repeat:
        raise FieldErrors({"repeat": "The two passwords differ."})
    # Single use even under a double click: only one UPDATE finds used_at still empty.
    claimed = session.execute(
        update(AccountToken)
        .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise PortalError(INVALID_LINK)
    user.password_hash = password_hash(password)
    user.sessions_valid_after = now
    user.failed_sign_ins, user.locked_until = 0, None
    audit_record(
        session=session,
        actor_id=user.id,
        action=f"password.set_by_{row.purpose}",
        subject_type="user",
        subject_id=user.id,
        reason="one-time link",
    )
    return user.id
