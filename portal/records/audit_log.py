"""Reading the audit log: filters for the admin page and a CSV export (pure renderer).

The app never updates or deletes audit events; the database refuses it too (migration 0004).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from portal.models import AuditEvent, Enrollment, User
from portal.tabular import csv_bytes
from portal.timefmt import local_instant


@dataclass(frozen=True)
class AuditRow:
    """One audit event with the actor's name."""

    id: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: int | None
    reason: str
    details: str


def audit_actions(session: Session) -> list[str]:
    """Every action name that occurs, for the filter."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def audit_search(
    session: Session,
    *,
    action: str | None = None,
    actor: str = "",
    subject_type: str | None = None,
    subject_id: int | None = None,
    offering_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    time_zone: str = "UTC",
    limit: int = 5000,
) -> list[AuditRow]:
    """Events newest first, filtered; dates are whole days in the given zone."""
    actor_user = aliased(User)
    query = (
        select(AuditEvent, actor_user.username)
        .outerjoin(actor_user, actor_user.id == AuditEvent.actor_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    if action:
        query = query.where(AuditEvent.action == action)
    if actor.strip():
        query = query.where(actor_user.username == actor.strip().lower())
    if subject_type:
        query = query.where(AuditEvent.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
    if offering_id is not None:
        query = query.where(offering_filter(offering_id))
    if since:
        query = query.where(AuditEvent.at >= local_instant(since, time.min, time_zone))
    if until:
        end = local_instant(until + timedelta(days=1), time.min, time_zone)
        query = query.where(AuditEvent.at < end)
    return [_row(e, username) for e, username in session.execute(query)]


def offering_filter(offering_id: int):  # type: ignore[no-untyped-def]
    """Events about an offering: the offering itself, its enrollments, or details.offering_id."""
    enrollment_ids = select(Enrollment.id).where(Enrollment.offering_id == offering_id)
    return or_(
        (AuditEvent.subject_type == "offering") & (AuditEvent.subject_id == offering_id),
        (AuditEvent.subject_type == "enrollment") & AuditEvent.subject_id.in_(enrollment_ids),
        AuditEvent.details["offering_id"].as_integer() == offering_id,
    )


def person_filter(user_id: int):  # type: ignore[no-untyped-def]
    """Events about a person: their account and their enrollments."""
    enrollment_ids = select(Enrollment.id).where(Enrollment.user_id == user_id)
    return or_(
        (AuditEvent.subject_type == "user") & (AuditEvent.subject_id == user_id),
        (AuditEvent.subject_type == "enrollment") & AuditEvent.subject_id.in_(enrollment_ids),
        AuditEvent.details["user_id"].as_integer() == user_id,
    )


def audit_for(session: Session, condition) -> list[AuditRow]:  # type: ignore[no-untyped-def]
    """Events matching a filter from offering_filter/person_filter, oldest first."""
    actor_user = aliased(User)
    query = (
        select(AuditEvent, actor_user.username)
        .outerjoin(actor_user, actor_user.id == AuditEvent.actor_id)
        .where(condition)
        .order_by(AuditEvent.id)
    )
    return [_row(e, username) for e, username in session.execute(query)]


def _row(event: AuditEvent, username: str | None) -> AuditRow:
    return AuditRow(
        event.id,
        event.at,
        username or "(system)",
        event.action,
        event.subject_type,
        event.subject_id,
        event.reason,
        json.dumps(event.details, sort_keys=True, default=str),
    )


COLUMNS = ("id", "at_utc", "actor", "action", "subject_type", "subject_id", "reason", "details")


def audit_csv(rows: Sequence[AuditRow]) -> bytes:
    """The events as CSV."""
    lines = [
        (
            r.id,
            r.at.isoformat(),
            r.actor,
            r.action,
            r.subject_type,
            r.subject_id,
            r.reason,
            r.details,
        )
        for r in rows
    ]
    return csv_bytes(COLUMNS, lines)
