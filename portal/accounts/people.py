"""Admin tools for people: search, roles, deactivation and password-reset links."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.accounts import services as accounts
from portal.accounts import throttle
from portal.accounts.professions import profession_label
from portal.accounts.tokens import set_password_link, token_issue
from portal.authz import admin_check, admin_or_operator_check
from portal.errors import FieldErrors, NotAllowed
from portal.mail.outbox import mail_registration, mail_set_password_link
from portal.models import License, User, utc_now
from portal.records.audit import audit_record


@dataclass(frozen=True)
class PersonRow:
    """One person in the admin's search results."""

    id: int
    username: str
    full_name: str
    email: str
    role: str
    is_active: bool
    licenses: str
    created_at: datetime


def _row(user: User) -> PersonRow:
    licenses = "; ".join(
        " ".join(p for p in (profession_label(lic.profession), lic.number, lic.state) if p)
        for lic in user.licenses
    )
    return PersonRow(
        user.id,
        user.username,
        user.full_name,
        user.email,
        user.role,
        user.is_active,
        licenses,
        user.created_at,
    )


def people_search(
    session: Session, text: str = "", role: str | None = None, limit: int = 200
) -> list[PersonRow]:
    """People whose name, username, email or license number contains the text."""
    query = select(User).options(selectinload(User.licenses)).order_by(User.full_name)
    if needle := text.strip().lower():
        like = f"%{needle}%"
        licensed = select(License.user_id).where(func.lower(License.number).like(like))
        query = query.where(
            or_(
                func.lower(User.full_name).like(like),
                User.username.like(like),
                User.email.like(like),
                User.id.in_(licensed),
            )
        )
    if role:
        query = query.where(User.role == role)
    return [_row(u) for u in session.scalars(query.limit(limit))]


def person_get(session: Session, user_id: int) -> PersonRow:
    """One person's row."""
    return _row(accounts.user_get(session, user_id))


def _not_self(actor_id: int, user_id: int, what: str) -> None:
    if actor_id == user_id:
        raise NotAllowed(f"You cannot {what} your own account; ask another admin.")


def person_role_change(
    *, session: Session, actor_id: int, user_id: int, role: str, reason: str
) -> None:
    """Change someone else's role (audited); admins cannot demote themselves."""
    admin_check(session, actor_id)
    _not_self(actor_id, user_id, "change the role of")
    accounts.role_change(
        session=session, actor_id=actor_id, user_id=user_id, role=role, reason=reason
    )


def person_set_active(
    *, session: Session, actor_id: int, user_id: int, active: bool, reason: str
) -> None:
    """Deactivate (signs them out everywhere) or reactivate an account, audited."""
    admin_check(session, actor_id)
    _not_self(actor_id, user_id, "deactivate or reactivate")
    if not reason.strip():
        raise FieldErrors({"reason": "Say why."})
    user = accounts.user_get(session, user_id)
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        user.sessions_valid_after = utc_now()
    audit_record(
        session=session,
        actor_id=actor_id,
        action="user.reactivate" if active else "user.deactivate",
        subject_type="user",
        subject_id=user_id,
        reason=reason.strip(),
    )


def link_send(
    *,
    session: Session,
    user_id: int,
    purpose: str,
    base_url: str,
    valid_for: timedelta,
    now: datetime | None = None,
) -> None:
    """Issue a one-time set-password link and queue the email carrying it."""
    now = now or utc_now()
    token = token_issue(
        session=session, user_id=user_id, purpose=purpose, valid_for=valid_for, now=now
    )
    hours = valid_for.total_seconds() / 3600
    valid = f"{hours:g} hours" if hours < 48 else f"{hours / 24:g} days"
    mail_set_password_link(
        session=session,
        user_id=user_id,
        purpose=purpose,
        link=set_password_link(base_url, token),
        valid_for=valid,
    )


def password_reset_send(
    *,
    session: Session,
    actor_id: int,
    user_id: int,
    base_url: str,
    valid_for: timedelta,
    now: datetime | None = None,
) -> None:
    """Email the person a one-time password-reset link (no password is ever shown)."""
    admin_check(session, actor_id)
    user = accounts.user_get(session, user_id)
    if not user.is_active:
        raise NotAllowed("Reactivate the account first.")
    link_send(
        session=session,
        user_id=user_id,
        purpose="reset",
        base_url=base_url,
        valid_for=valid_for,
        now=now,
    )
    audit_record(
        session=session,
        actor_id=actor_id,
        action="password.reset_sent",
        subject_type="user",
        subject_id=user_id,
    )


def user_register_with_confirmation(
    *,
    session: Session,
    form: accounts.Registration,
    client: str,
    per_hour: int,
    now: datetime | None = None,
) -> User | FieldErrors:
    """Register a participant and queue the 'your account is ready' email.

    Attempts are limited per client address; a refused form is returned, not raised, so
    that its counted attempt commits.
    """
    throttle.registration_attempt(
        session=session, client=client, per_hour=per_hour, now=now or utc_now()
    )
    try:
        with session.begin_nested():
            user = accounts.user_register(session=session, form=form)
    except FieldErrors as refused:
        return refused
    mail_registration(session=session, user_id=user.id)
    return user


EMAIL_TAKEN = "Another account uses this email; search for it below."


def person_create_invited(
    *,
    session: Session,
    actor_id: int | None,
    username: str,
    email: str,
    full_name: str,
    role: str,
    base_url: str,
    valid_for: timedelta,
    now: datetime | None = None,
) -> User:
    """Create an account of any role and email the person an invitation to set a password.

    actor_id None is the operator at the command line; otherwise an admin.
    """
    admin_or_operator_check(session, actor_id)
    # Nobody knows this random password: the account signs in only after the invitation.
    try:
        user = accounts.user_create(
            session=session,
            username=username,
            email=email,
            full_name=full_name,
            password=secrets.token_urlsafe(32),
            role=role,
        )
    except FieldErrors as error:
        # The registration wording ("sign in instead") speaks to the person, not an admin.
        if "email" in error.errors and "exists" in error.errors["email"]:
            raise FieldErrors({**error.errors, "email": EMAIL_TAKEN}) from None
        raise
    link_send(
        session=session,
        user_id=user.id,
        purpose="invite",
        base_url=base_url,
        valid_for=valid_for,
        now=now,
    )
    audit_record(
        session=session,
        actor_id=actor_id,
        action="user.invite",
        subject_type="user",
        subject_id=user.id,
        details={"role": role},
    )
    return user
