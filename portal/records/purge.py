"""Records retention: what is past it, and `portal records purge` to remove it.

An offering's records are kept for the course's record_retention_years (course file,
default 5, never fewer than 4) after the later of the day it ended, as recorded when it
ended, and the day its latest certificate was issued (portal.records.retention): moving
the sessions' dates later cannot make records purgeable. An offering not yet recorded as
ended is never due. Purging deletes its enrollments and
every row that references them, directly or through other tables, found from the
metadata (all tables registered in portal.models), children first: attendance and its
history and correction requests, evaluations and their answers, certificates (a table's
links to itself, supersedes/superseded-by, go in the same statement) and their reissue
requests. The offering, its sessions, users and the audit log are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, func, or_, select
from sqlalchemy.orm import Session

from portal.authz import admin_or_operator_check
from portal.courses.content import CourseFileError, course_get
from portal.models import Base, Enrollment, Offering, RecordsPurge, utc_now
from portal.records.audit import audit_record
from portal.records.retention import (
    MINIMUM_RETENTION_YEARS,
    latest_certificates,
    offerings_ended_record,
)
from portal.timefmt import local_date

DEFAULT_RETENTION_YEARS = 5


@dataclass(frozen=True)
class RetentionRow:
    """An offering's retention: when its records may be purged."""

    offering_id: int
    label: str
    course_title: str
    last_session: date | None
    retention_years: int
    purge_after: date | None
    due: bool
    purged_at: datetime | None
    ended_on: date | None = None
    latest_certificate_on: date | None = None


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # February 29 in a year that has none
        return day.replace(year=day.year + years, day=28)


def _retention_years(content_dir: Path, slug: str) -> int:
    try:
        years = course_get(content_dir, slug).record_retention_years
    except CourseFileError:
        years = DEFAULT_RETENTION_YEARS
    return max(years, MINIMUM_RETENTION_YEARS)


def _local(instant: datetime | None, time_zone: str) -> date | None:
    return local_date(instant, time_zone) if instant else None


def retention_list(
    session: Session, content_dir: Path, now: datetime | None = None
) -> list[RetentionRow]:
    """Every offering with its retention date and whether it is due for purging."""
    now = now or utc_now()
    offerings_ended_record(session=session, now=now)
    purged = {p.offering_id: p.purged_at for p in session.scalars(select(RecordsPurge))}
    certified = latest_certificates(session)
    rows = []
    for o in session.scalars(select(Offering).order_by(Offering.id)):
        years = _retention_years(content_dir, o.course.slug)
        last = local_date(o.sessions[-1].ends_at, o.time_zone) if o.sessions else None
        ended = _local(o.ended_at, o.time_zone)
        certificate = _local(certified.get(o.id), o.time_zone)
        basis = max((d for d in (ended, certificate) if d), default=None)
        after = _years_later(basis, years) if ended and basis else None
        due = bool(after and local_date(now, o.time_zone) > after and o.id not in purged)
        row = RetentionRow(o.id, o.label, o.course.title, last, years, after, due, None)
        rows.append(
            replace(
                row, purged_at=purged.get(o.id), ended_on=ended, latest_certificate_on=certificate
            )
        )
    return rows


def _dependents(parent: Table, clause: Any, seen: set[str]) -> list[tuple[Table, Any]]:
    """Tables referencing parent rows matching clause, each after its own dependents."""
    plan: list[tuple[Table, Any]] = []
    for child in Base.metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is not parent or child.name in seen:
                continue
            child_clause = fk.parent.in_(select(fk.column).where(clause))
            plan += _dependents(child, child_clause, seen | {child.name})
            plan.append((child, child_clause))
    return plan


def purge_plan(enrollment_ids: Sequence[int]) -> list[tuple[Table, Any]]:
    """Deletes in a safe order: dependents of enrollments, then the enrollments."""
    enrollments = Enrollment.__table__
    root = enrollments.c.id.in_(list(enrollment_ids))
    merged: dict[str, tuple[Table, list[Any]]] = {}
    for table, clause in _dependents(enrollments, root, {"enrollments"}):
        merged.setdefault(table.name, (table, []))[1].append(clause)
    plan = [(t, or_(*clauses)) for t, clauses in merged.values()]
    return [*plan, (enrollments, root)]


def _purge_offering(session: Session, offering_id: int, dry_run: bool) -> dict[str, int]:
    ids = list(session.scalars(select(Enrollment.id).where(Enrollment.offering_id == offering_id)))
    counts: dict[str, int] = {}
    for table, clause in purge_plan(ids):
        counts[table.name] = (
            session.scalar(select(func.count()).select_from(table).where(clause)) or 0
        )
        if not dry_run:
            session.execute(delete(table).where(clause))
    return counts


@dataclass(frozen=True)
class PurgeReport:
    """Per offering due for purging: its label and rows (to be) deleted by table."""

    dry_run: bool
    offerings: tuple[tuple[int, str, dict[str, int]], ...]
    # Offerings whose retention after they ended is over but which a younger certificate
    # keeps: (offering id, label, why).
    kept: tuple[tuple[int, str, str], ...] = ()


def _kept_by_certificate(row: RetentionRow, today: date) -> str | None:
    """Why an offering past retention since it ended is still kept, if a certificate is."""
    if row.due or row.purged_at or row.ended_on is None or row.latest_certificate_on is None:
        return None
    if _years_later(row.ended_on, row.retention_years) >= today:
        return None
    return (
        f"refused: a certificate issued {row.latest_certificate_on} is younger than "
        f"{row.retention_years} years; kept until {row.purge_after}"
    )


def records_purge(
    *,
    session: Session,
    actor_id: int | None,
    content_dir: Path,
    dry_run: bool = True,
    now: datetime | None = None,
) -> PurgeReport:
    """Remove the records of every offering past retention (dry run: only count them).

    actor_id is the admin, or authz.OPERATOR for the command line.
    """
    admin_or_operator_check(session, actor_id)
    now = now or utc_now()
    done, kept = [], []
    for row in retention_list(session, content_dir, now):
        label = f"{row.course_title} — {row.label}"
        if why := _kept_by_certificate(row, now.date()):
            kept.append((row.offering_id, label, why))
        if not row.due:
            continue
        counts = _purge_offering(session, row.offering_id, dry_run)
        done.append((row.offering_id, label, counts))
        if not dry_run:
            session.add(RecordsPurge(offering_id=row.offering_id, purged_at=now, counts=counts))
            audit_record(
                session=session,
                actor_id=actor_id,
                action="records.purge",
                subject_type="offering",
                subject_id=row.offering_id,
                reason=f"retention of {row.retention_years} years ended {row.purge_after}",
                details={"offering_id": row.offering_id, "counts": counts},
            )
    return PurgeReport(dry_run, tuple(done), tuple(kept))


def purge_preview(session: Session, actor_id: int, content_dir: Path) -> PurgeReport:
    """What a purge would delete now (a read: nothing is written)."""
    return records_purge(session=session, actor_id=actor_id, content_dir=content_dir, dry_run=True)
