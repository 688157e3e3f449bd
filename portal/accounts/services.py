"""Account services: registration, profile, licenses, passwords, roles, sign-in attempts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.accounts import throttle
from portal.accounts.demo_accounts import is_demo_account
from portal.accounts.passwords import (
    dummy_hash,
    password_hash,
    password_matches,
    password_needs_rehash,
    password_problem,
)
from portal.accounts.professions import LICENSED, PROFESSIONS, US_STATES
from portal.accounts.throttle import SignInPolicy
from portal.authz import admin_check
from portal.errors import FieldErrors, NotFound
from portal.logs import logger
from portal.models import ROLES, License, User, utc_now
from portal.records.audit import audit_record

log = logger(__name__)
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
EMAIL_PROBLEM = "Enter one email address like name@example.org."


def email_normalise(text: str) -> str | None:
    """The address in the one form stored and compared (syntax checked by email-validator,
    domain in its normal form, lower case), or None when it is not one plain address.

    A comma, a display name or a quoted local part is refused: each could make one mail go
    to several recipients.
    """
    try:
        checked = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.normalized.lower()


@dataclass(frozen=True)
class LicenseInput:
    """A license as typed into a form."""

    profession: str
    number: str = ""
    state: str = ""


@dataclass(frozen=True)
class Registration:
    """What a person types to create an account."""

    full_name: str
    email: str
    username: str
    password: str
    password_repeat: str
    license: LicenseInput


def _name_problem(full_name: str) -> str | None:
    if not full_name.strip():
        return "Enter your full name as it must appear on your certificate."
    if len(full_name.strip()) > 200:
        return "Use at most 200 characters."
    return None


def license_problems(license: LicenseInput, prefix: str = "") -> dict[str, str]:
    """Field errors for one license; licensed professions need a number and a state."""
    errors: dict[str, str] = {}
    if license.profession not in PROFESSIONS:
        errors[f"{prefix}profession"] = "Choose your profession."
    elif license.profession in LICENSED:
        if not license.number.strip():
            errors[f"{prefix}license_number"] = "Enter your license number."
        elif len(license.number.strip()) > 40:
            errors[f"{prefix}license_number"] = "Use at most 40 characters."
        if license.state.upper() not in US_STATES:
            errors[f"{prefix}license_state"] = "Choose the state that issued your license."
    return errors


def _registration_problems(form: Registration) -> dict[str, str]:
    errors: dict[str, str] = {}
    if problem := _name_problem(form.full_name):
        errors["full_name"] = problem
    if email_normalise(form.email) is None:
        errors["email"] = EMAIL_PROBLEM
    if not USERNAME.match(form.username.strip().lower()):
        errors["username"] = "Use 3–64 letters, digits, dots, dashes or underscores."
    if problem := password_problem(form.password):
        errors["password"] = problem
    elif form.password != form.password_repeat:
        errors["password_repeat"] = "The two passwords differ."
    errors.update(license_problems(form.license))
    return errors


def _taken_problems(session: Session, username: str, email: str) -> dict[str, str]:
    errors = {}
    if session.scalar(select(User.id).where(User.username == username)):
        errors["username"] = "This username is taken; choose another."
    if session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = "An account with this email exists; sign in instead."
    return errors


def _license_row(license: LicenseInput) -> License:
    licensed = license.profession in LICENSED
    return License(
        profession=license.profession,
        number=license.number.strip() if licensed else None,
        state=license.state.upper() if licensed else None,
    )


def user_register(*, session: Session, form: Registration) -> User:
    """Create a participant account with its license; field errors on bad input."""
    errors = _registration_problems(form)
    username, email = form.username.strip().lower(), email_normalise(form.email) or ""
    errors = errors or _taken_problems(session, username, email)
    if errors:
        raise FieldErrors(errors)
    user = User(
        username=username,
        email=email,
        full_name=" ".join(form.full_name.split()),
        password_hash=password_hash(form.password),
        role="participant",
        licenses=[_license_row(form.license)],
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        # A concurrent registration took the name between our check and the insert.
        raise FieldErrors({"username": "This username or email is taken."}) from None
    return user


def user_create(
    *, session: Session, username: str, email: str, full_name: str, password: str, role: str
) -> User:
    """Create an account with a role (command line and admin tools)."""
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = f"Choose one of {', '.join(ROLES)}."
    form = Registration(full_name, email, username, password, password, LicenseInput("other"))
    errors.update(_registration_problems(form))
    errors = errors or _taken_problems(session, username.lower(), email_normalise(email) or "")
    if errors:
        raise FieldErrors(errors)
    user = user_register(session=session, form=form)
    user.role = role
    return user


def user_get(session: Session, user_id: int) -> User:
    """The user, or NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such person.")
    return user


def profile_update(*, session: Session, user_id: int, full_name: str, email: str) -> None:
    """Change the name printed on certificates and the email address."""
    user = user_get(session, user_id)
    errors: dict[str, str] = {}
    if problem := _name_problem(full_name):
        errors["full_name"] = problem
    email = email_normalise(email) or ""
    if not email:
        errors["email"] = EMAIL_PROBLEM
    elif session.scalar(select(User.id).where(User.email == email, User.id != user_id)):
        errors["email"] = "Another account uses this email."
    if errors:
        raise FieldErrors(errors)
    user.full_name, user.email = " ".join(full_name.split()), email


def license_save(*, session: Session, user_id: int, license: LicenseInput) -> None:
    """Add a license, or replace the number and state of the same profession."""
    if errors := license_problems(license):
        raise FieldErrors(errors)
    user = user_get(session, user_id)
    row = next((lic for lic in user.licenses if lic.profession == license.profession), None)
    new = _license_row(license)
    if row is None:
        user.licenses.append(new)
    else:
        row.number, row.state = new.number, new.state


def license_remove(*, session: Session, user_id: int, license_id: int) -> None:
    """Remove one of the person's own licenses (never the last one)."""
    user = user_get(session, user_id)
    row = next((lic for lic in user.licenses if lic.id == license_id), None)
    if row is None:
        raise NotFound("No such license on your profile.")
    if len(user.licenses) == 1:
        raise FieldErrors({"license": "Keep at least one profession on your profile."})
    user.licenses.remove(row)


def password_change(
    *,
    session: Session,
    user_id: int,
    current: str,
    new: str,
    repeat: str,
    client: str,
    policy: SignInPolicy,
    now: datetime | None = None,
) -> FieldErrors | None:
    """Change the password; earlier re-login cookies stop working.

    The current password is checked under the sign-in throttle (someone holding a signed-in
    browser must not get unlimited guesses), so a wrong one is returned, not raised: the
    counted failure commits.
    """
    now = now or utc_now()
    user = user_get(session, user_id)
    gate = throttle.sign_in_begin(
        session=session,
        username=user.username,
        client=client,
        captcha_passed=True,  # signed in already; the counters still apply
        policy=policy,
        now=now,
    )
    if not gate.allowed:
        raise FieldErrors({"current_password": gate.message})
    matched = password_matches(current, user.password_hash)
    throttle.sign_in_finish(
        session=session,
        username=user.username,
        client=client,
        succeeded=matched,
        policy=policy,
        now=now,
        where="password_check",
    )
    if not matched:
        return FieldErrors({"current_password": "This is not your current password."})
    if problem := password_problem(new):
        return FieldErrors({"new_password": problem})
    if new != repeat:
        return FieldErrors({"repeat_password": "The two passwords differ."})
    user.password_hash = password_hash(new)
    user.sessions_valid_after = now
    audit_record(
        session=session,
        actor_id=user.id,
        action="password.changed",
        subject_type="user",
        subject_id=user.id,
        details={"client": client},
    )
    return None


def role_change(*, session: Session, actor_id: int, user_id: int, role: str, reason: str) -> None:
    """Grant or withdraw the instructor or admin role, with an audit event."""
    admin_check(session, actor_id)
    if role not in ROLES:
        raise FieldErrors({"role": f"Choose one of {', '.join(ROLES)}."})
    if not reason.strip():
        raise FieldErrors({"reason": "Say why the role changes."})
    user = user_get(session, user_id)
    audit_record(
        session=session,
        actor_id=actor_id,
        action="role.change",
        subject_type="user",
        subject_id=user.id,
        reason=reason.strip(),
        details={"from": user.role, "to": role},
    )
    user.role = role


def _user_by_username(session: Session, username: str, demo_mode: bool) -> User | None:
    """The account that may sign in under this username: outside demo mode the demo
    accounts are treated as unknown, even when a database still holds them."""
    if not demo_mode and is_demo_account(username):
        return None
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def sign_in_account(
    *, session: Session, username: str, demo_mode: bool = False
) -> tuple[User | None, str]:
    """The account a sign-in names and the hash to check: a dummy for unknown or inactive
    accounts and for the demo accounts outside demo mode (then None), so every path costs
    one password hash check and timing does not reveal which usernames exist.

    Accounts are never locked (anyone could lock anyone out): portal.accounts.throttle
    slows guessing instead."""
    user = _user_by_username(session, username, demo_mode)
    if user is None or not user.is_active:
        return None, dummy_hash()
    return user, user.password_hash


def sign_in_hash(*, session: Session, username: str, demo_mode: bool = False) -> str:
    """The hash a sign-in is checked against (see sign_in_account)."""
    return sign_in_account(session=session, username=username, demo_mode=demo_mode)[1]


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in attempt: the user id, or why not; whether a CAPTCHA is due."""

    user_id: int | None
    message: str = ""
    captcha_needed: bool = False


WRONG_CREDENTIALS = "Username or password is incorrect."


def sign_in_record(
    *,
    session: Session,
    username: str,
    client: str,
    succeeded: bool,
    policy: SignInPolicy,
    now: datetime,
    new_hash: str | None = None,
    checked_hash: str = "",
) -> int | None:
    """Record the outcome of an attempt the throttle allowed; the user id on success.

    On success a hash made with older parameters (`checked_hash`, the one the password
    matched) is replaced by `new_hash` of the same password, unless the password changed
    meanwhile: a sign-in with the old password must never undo a change or a reset.
    """
    user_id = throttle.sign_in_finish(
        session=session,
        username=username,
        client=client,
        succeeded=succeeded,
        policy=policy,
        now=now,
    )
    # The typed name is not logged: it may be a password typed in the wrong field.
    log.info("sign-in %s", "succeeded" if user_id else "failed", extra={"account": user_id})
    if user_id is not None and new_hash is not None:
        session.execute(
            update(User)
            .where(User.id == user_id, User.password_hash == checked_hash)
            .values(password_hash=new_hash)
            .execution_options(synchronize_session=False)
        )
    return user_id


def sign_in_check(
    *,
    session: Session,
    username: str,
    password: str,
    client: str,
    policy: SignInPolicy,
    now: datetime | None = None,
    captcha_passed: bool = False,
    demo_mode: bool = False,
) -> SignInResult:
    """Check a username and password from a client address, throttled and audited."""
    now = now or utc_now()
    gate = throttle.sign_in_begin(
        session=session,
        username=username,
        client=client,
        captcha_passed=captcha_passed,
        policy=policy,
        now=now,
    )
    if not gate.allowed:
        return SignInResult(None, gate.message, gate.captcha_needed)
    hashed = sign_in_hash(session=session, username=username, demo_mode=demo_mode)
    matched = password_matches(password, hashed)
    user_id = sign_in_record(
        session=session,
        username=username,
        client=client,
        succeeded=matched,
        policy=policy,
        now=now,
        new_hash=password_hash(password) if matched and password_needs_rehash(hashed) else None,
        checked_hash=hashed,
    )
    return SignInResult(user_id, "" if user_id else WRONG_CREDENTIALS, gate.captcha_needed)


def sign_out(*, session: Session, user_id: int) -> None:
    """Refuse every re-login cookie issued until now for this person."""
    user_get(session, user_id).sessions_valid_after = utc_now()


def sessions_valid_since(
    session: Session, username: str, *, demo_mode: bool = False
) -> datetime | None:
    """When the person's current sign-ins may have started; None if unknown or inactive."""
    user = _user_by_username(session, username, demo_mode)
    if user is None or not user.is_active:
        return None
    return user.sessions_valid_after


def user_by_username(session: Session, username: str) -> User:
    """The account with this username, or NotFound."""
    user = _user_by_username(session, username, demo_mode=True)
    if user is None:
        raise NotFound(f"No account has the username {username.strip().lower()!r}.")
    return user


def password_set_by_operator(*, session: Session, username: str, password: str) -> User:
    """Set a password from the command line; lifts any lock and ends earlier sign-ins."""
    user = user_by_username(session, username)
    if problem := password_problem(password):
        raise FieldErrors({"password": problem})
    user.password_hash = password_hash(password)
    user.failed_sign_ins, user.locked_until = 0, None
    user.sessions_valid_after = utc_now()
    audit_record(
        session=session,
        actor_id=None,
        action="password.set_by_operator",
        subject_type="user",
        subject_id=user.id,
    )
    return user


def account_unlock(*, session: Session, username: str) -> User:
    """Lift a sign-in lock and reset the failure count (audited)."""
    user = user_by_username(session, username)
    user.failed_sign_ins, user.locked_until = 0, None
    throttle.account_counters_clear(session, username)
    audit_record(
        session=session,
        actor_id=None,
        action="user.unlock",
        subject_type="user",
        subject_id=user.id,
    )
    return user


def signed_in_user(
    session: Session, username: str, signed_in_at: datetime, *, demo_mode: bool = False
) -> User | None:
    """The account of a sign-in made at signed_in_at, while it is still valid (active, not
    signed out or given a new password since; a demo account only in demo mode)."""
    user = _user_by_username(session, username, demo_mode)
    if user is None or not user.is_active or signed_in_at < user.sessions_valid_after:
        return None
    return user
