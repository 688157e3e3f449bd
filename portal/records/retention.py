"""Facts retention is counted from, which no later edit can move.

An offering's `ended_at` is recorded once, the first time the portal sees its last session
over (at every start, on the Records page's purge preview, and before a purge), and never
rewritten. Certificates are frozen when issued, so the latest one's issue date is a fact
too. Records are kept at least MINIMUM_RETENTION_YEARS after the later of the two.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.models import Certificate, Enrollment, LiveSession, Offering

MINIMUM_RETENTION_YEARS = 4


def offerings_ended_record(*, session: Session, now: datetime) -> int:
    """Record when each offering ended, once its last session is over; how many were new."""
    last_end = (
        select(func.max(LiveSession.ends_at))
        .where(LiveSession.offering_id == Offering.id)
        .scalar_subquery()
    )
    result = session.execute(
        update(Offering)
        .where(Offering.ended_at.is_(None), last_end <= now)
        .values(ended_at=last_end)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def latest_certificates(session: Session) -> dict[int, datetime]:
    """When each offering's latest certificate (of any status) was issued, by offering."""
    query = (
        select(Enrollment.offering_id, func.max(Certificate.issued_at))
        .join(Enrollment, Enrollment.id == Certificate.enrollment_id)
        .group_by(Enrollment.offering_id)
    )
    return {offering_id: issued for offering_id, issued in session.execute(query)}
