"""Sign-in throttling that slows guessing without letting anyone lock the owner out.

Three counters, each a row updated by one atomic statement:

- account and client address together: after a few failures that pair waits, longer
  after each further failure (an attacker's address is slowed on that account, the owner
  elsewhere is not);
- client address alone: many failures from one address, across accounts, slow it down;
- account alone: never blocks (that would be a weapon against the owner) but asks for a
  CAPTCHA once the account has failed a few times, from wherever.

On the pair and the account an attempt is counted as a failure before its password is
checked, so concurrent guesses at one account each see their own count; a right password
gives its count back. The address counts only real failures, after the check: a whole room
signing in at once from one venue's address must neither queue on that row nor look like
a storm of failures. Keys are stored hashed.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, literal, select, update
from sqlalchemy.orm import Session

from portal.db import insert_for
from portal.errors import PortalError
from portal.models import SignInThrottle, User, UTCDateTime
from portal.records.audit import audit_record
from portal.settings import Settings

# Failures this long after the last one start counting afresh.
FORGET_AFTER = timedelta(hours=1)
# The first delay; each further failure doubles it, up to the policy's longest delay.
FIRST_DELAY = timedelta(seconds=30)


@dataclass(frozen=True)
class SignInPolicy:
    """How many failures each counter allows before it slows down or asks for a CAPTCHA."""

    pair_attempts: int = 5
    address_attempts: int = 20
    captcha_after: int = 3
    longest_delay: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInPolicy:
        """The policy the settings ask for."""
        return cls(
            pair_attempts=settings.lockout_attempts,
            address_attempts=settings.sign_in_address_attempts,
            captcha_after=settings.sign_in_captcha_after,
            longest_delay=timedelta(minutes=settings.lockout_minutes),
        )


@dataclass(frozen=True)
class Gate:
    """Whether an attempt may have its password checked, and whether a CAPTCHA is due."""

    allowed: bool
    captcha_needed: bool
    message: str = ""


def _key(kind: str, *parts: str) -> str:
    return hashlib.sha256("|".join((kind, *parts)).encode()).hexdigest()


def _keys(username: str, client: str) -> dict[str, str]:
    name = username.strip().lower()
    return {
        "pair": _key("pair", name, client),
        "address": _key("address", client),
        "account": _key("account", name),
    }


def account_counters_clear(session: Session, username: str) -> None:
    """Forget the failures counted against an account, whatever the address (operator unlock)."""
    name = username.strip().lower()
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == _key("account", name)))


def _failures(session: Session, key: str, now: datetime) -> int:
    row = session.get(SignInThrottle, key)
    if row is None or row.last_failure_at <= now - FORGET_AFTER:
        return 0
    return row.failures


def _blocked_until(session: Session, key: str, now: datetime) -> datetime | None:
    row = session.get(SignInThrottle, key)
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return None
    return row.blocked_until


def _address_captcha_after(policy: SignInPolicy) -> int:
    # A venue's shared address sees a few typos from a full room: ask for the CAPTCHA only
    # when failures from there are halfway to slowing the address down.
    return max(policy.captcha_after, policy.address_attempts // 2)


def _delay(failures: int, free: int, longest: timedelta) -> timedelta:
    return min(FIRST_DELAY * 2 ** max(0, failures - free), longest)


def _count(session: Session, key: str, free: int | None, policy: SignInPolicy, now: datetime):  # type: ignore[no-untyped-def]
    """Count one failure on a key unless it is waiting; (allowed, blocked_until, newly_blocked).

    The SET expressions read the row as it was, so `allowed` says whether this attempt came
    while the key was free; the row stays locked until the transaction ends.
    """
    table = SignInThrottle.__table__
    at = literal(now, UTCDateTime())
    waiting = and_(table.c.blocked_until.is_not(None), table.c.blocked_until > at)
    stale = table.c.last_failure_at <= literal(now - FORGET_AFTER, UTCDateTime())
    statement = (
        insert_for(session)(SignInThrottle)
        .values(key=key, failures=1, last_failure_at=now, blocked_until=None, allowed=True)
        .on_conflict_do_update(
            index_elements=[SignInThrottle.key],
            set_={
                "allowed": ~waiting,
                "failures": case(
                    (waiting, table.c.failures), (stale, 1), else_=table.c.failures + 1
                ),
                "last_failure_at": case((waiting, table.c.last_failure_at), else_=at),
                "blocked_until": case((waiting, table.c.blocked_until), else_=None),
            },
        )
        .returning(SignInThrottle.allowed, SignInThrottle.failures, SignInThrottle.blocked_until)
    )
    allowed, failures, blocked_until = session.execute(statement).one()
    if allowed and free is not None and failures >= free:
        blocked_until = now + _delay(failures, free, policy.longest_delay)
        session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.key == key)
            .values(blocked_until=blocked_until)
        )
        return True, blocked_until, True
    return allowed, blocked_until, False


def _wait_text(until: datetime, now: datetime) -> str:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"


def _subject(session: Session, username: str) -> int | None:
    return session.scalar(select(User.id).where(User.username == username.strip().lower()))


def _audit(session: Session, action: str, username: str, client: str, **details: object) -> None:
    user_id = _subject(session, username)
    audit_record(
        session=session,
        actor_id=user_id if action.endswith(".succeeded") else None,
        action=action,
        subject_type="user",
        subject_id=user_id,
        # A name typed for no account may be a mistyped password: kept out of the log.
        details={"client": client, **({"username": username} if user_id else {}), **details},
    )


def sign_in_begin(
    *,
    session: Session,
    username: str,
    client: str,
    captcha_passed: bool,
    policy: SignInPolicy,
    now: datetime,
) -> Gate:
    """Decide whether this attempt's password may be checked, counting it as a failure."""
    keys = _keys(username, client)
    captcha_needed = _failures(session, keys["account"], now) >= policy.captcha_after or _failures(
        session, keys["address"], now
    ) >= _address_captcha_after(policy)
    if captcha_needed and not captcha_passed:
        return Gate(False, True, "Type the digits shown in the picture as well.")
    waits = [until] if (until := _blocked_until(session, keys["address"], now)) else []
    allowed, until, newly = _count(session, keys["pair"], policy.pair_attempts, policy, now)
    if newly:
        _audit(
            session, "sign_in.throttled", username, client, scope="pair", until=until.isoformat()
        )
    if not allowed:
        waits.append(until)
    if waits:
        wait = _wait_text(max(waits), now)
        return Gate(False, captcha_needed, f"Too many failed sign-ins. Try again in {wait}.")
    _count(session, keys["account"], None, policy, now)
    return Gate(True, captcha_needed)


def sign_in_finish(
    *,
    session: Session,
    username: str,
    client: str,
    succeeded: bool,
    policy: SignInPolicy,
    now: datetime,
    where: str = "sign_in",
) -> int | None:
    """Record the outcome of an attempt sign_in_begin allowed; the user id on success.

    `where` names the check in the audit log: "sign_in", or "password_check" (Profile).
    """
    keys = _keys(username, client)
    if not succeeded:
        _, until, newly = _count(session, keys["address"], policy.address_attempts, policy, now)
        if newly:
            _audit(
                session,
                "sign_in.throttled",
                username,
                client,
                scope="address",
                until=until.isoformat(),
            )
        _audit(session, f"{where}.failed", username, client)
        return None
    # The owner proved who they are: the account's counters start afresh. The address keeps
    # its count of other failures (signing in to one's own account must not reset it).
    # Rows are touched in sign_in_begin's order (pair, account): no deadlock.
    pair, account = (SignInThrottle.key == keys[kind] for kind in ("pair", "account"))
    session.execute(delete(SignInThrottle).where(pair))
    session.execute(delete(SignInThrottle).where(account))
    # Forget counters idle for a day; rows another attempt holds right now are left alone.
    idle = select(SignInThrottle.key).where(
        SignInThrottle.last_failure_at < now - timedelta(days=1)
    )
    session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.key.in_(idle.with_for_update(skip_locked=True).scalar_subquery())
        )
    )
    _audit(session, f"{where}.succeeded", username, client)
    return _subject(session, username)


REGISTRATION_WINDOW = timedelta(hours=1)


def registration_attempt(*, session: Session, client: str, per_hour: int, now: datetime) -> None:
    """Count an attempt to create an account from this address; refuse past the hourly limit.

    Every attempt counts, refused ones too: "username taken" and "email exists" answers
    must not be a free way to list accounts.
    """
    table = SignInThrottle.__table__
    stale = table.c.last_failure_at <= literal(now - REGISTRATION_WINDOW, UTCDateTime())
    statement = (
        insert_for(session)(SignInThrottle)
        .values(key=_key("register", client), failures=1, last_failure_at=now, allowed=True)
        .on_conflict_do_update(
            index_elements=[SignInThrottle.key],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "last_failure_at": case(
                    (stale, literal(now, UTCDateTime())), else_=table.c.last_failure_at
                ),
            },
        )
        .returning(SignInThrottle.failures, SignInThrottle.last_failure_at)
    )
    attempts, started = session.execute(statement).one()
    if attempts > per_hour:
        wait = _wait_text(started + REGISTRATION_WINDOW, now)
        raise PortalError(f"Too many new accounts from here. Please try again in {wait}.")
