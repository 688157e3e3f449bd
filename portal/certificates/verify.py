"""Public verification of a certificate number, throttled per client in the database.

It reveals the minimum: the outcome, and for a valid certificate the name, program, dates
and credits; a superseded one names its replacement. A certificate issued on demo data is
"demo", never "valid", whatever mode the portal runs in now. Numbers are random (~56 bits), and
each client gets a few lookups per window, so the page cannot be used to list certificates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.certificates.numbers import number_is_well_formed, number_normalise
from portal.errors import FieldErrors, PortalError
from portal.models import Certificate, Enrollment, Offering, VerificationThrottle, utc_now

Outcome = Literal["valid", "demo", "superseded", "revoked", "not_found"]
LOOKUPS_PER_WINDOW = 20
WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Verification:
    """What the public page shows for one number."""

    number: str
    outcome: Outcome
    participant_name: str = ""
    program_title: str = ""
    dates: str = ""
    credits: str = ""
    issued_on: str = ""
    replacement_number: str = ""
    issued_at: datetime | None = None
    time_zone: str = "UTC"  # the offering's, in which the issue instant is shown


class Throttled(PortalError):
    """Too many lookups from one client in the current window."""


def _window_start(now: datetime) -> datetime:
    seconds = int(WINDOW.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)


def _count(session: Session, key: str, window: datetime) -> int:
    """Add one lookup to the client's window; the count after it (atomic on both databases)."""
    bump = (
        update(VerificationThrottle)
        .where(VerificationThrottle.client_key == key, VerificationThrottle.window_start == window)
        .values(count=VerificationThrottle.count + 1)
    )
    if session.execute(bump).rowcount == 0:
        try:
            with session.begin_nested():
                session.add(VerificationThrottle(client_key=key, window_start=window, count=1))
            # A new window: forget windows older than a day (keeps the table small).
            session.execute(
                delete(VerificationThrottle).where(
                    VerificationThrottle.window_start < window - timedelta(days=1)
                )
            )
            return 1
        except IntegrityError:
            session.execute(bump)  # a concurrent first lookup created the row
    query = select(VerificationThrottle.count).where(
        VerificationThrottle.client_key == key, VerificationThrottle.window_start == window
    )
    return session.scalar(query) or 0


def throttle_check(*, session: Session, client_keys: Sequence[str], now: datetime) -> None:
    """Count a lookup against every key of the client; refuse past the limit."""
    window = _window_start(now)
    for client_key in dict.fromkeys(k for k in client_keys if k):
        hashed = hashlib.sha256(client_key.encode()).hexdigest()
        if _count(session, hashed, window) > LOOKUPS_PER_WINDOW:
            minutes = int((window + WINDOW - now).total_seconds() // 60) + 1
            raise Throttled(f"Too many lookups from here. Please try again in {minutes} minutes.")


def _credits(data: dict[str, str]) -> str:
    return f"{data.get('hours', '')} {data.get('unit', '')} ({data.get('credit_type_id', '')})"


def _verification(session: Session, number: str) -> Verification:
    row = session.scalar(select(Certificate).where(Certificate.number == number))
    if row is None:
        return Verification(number, "not_found")
    if row.status == "superseded":
        newer = session.get(Certificate, row.superseded_by_id) if row.superseded_by_id else None
        return Verification(number, "superseded", replacement_number=newer.number if newer else "")
    if row.status == "revoked":
        return Verification(number, "revoked")
    data = row.data
    enrollment = session.get(Enrollment, row.enrollment_id)
    offering = session.get(Offering, enrollment.offering_id) if enrollment else None
    return Verification(
        number,
        "demo" if data.get("demo") else "valid",
        participant_name=data.get("participant_name", ""),
        program_title=data.get("program_title", ""),
        dates=data.get("dates", ""),
        credits=_credits(data),
        issued_on=data.get("issued_on", ""),
        issued_at=row.issued_at,
        time_zone=offering.time_zone if offering else "UTC",
    )


def certificate_verify(
    *,
    session: Session,
    number: str,
    client_keys: Sequence[str],
    now: datetime | None = None,
) -> Verification:
    """Look up a certificate number for anyone (counts against the client's throttle)."""
    if not (number or "").strip():
        raise FieldErrors({"number": "Enter the certificate number printed on the certificate."})
    throttle_check(session=session, client_keys=client_keys, now=now or utc_now())
    normalised = number_normalise(number)
    if not number_is_well_formed(normalised):
        return Verification(normalised, "not_found")
    return _verification(session, normalised)
