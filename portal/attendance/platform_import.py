"""Importing a platform participant report as attendance evidence: preview, then write."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.attendance.access import live_session_for_staff, live_session_get
from portal.attendance.history import change_record, snapshot
from portal.attendance.platform_report import ReportRow, merged_minutes, report_parse
from portal.errors import FieldErrors
from portal.models import Attendance, Enrollment, LiveSession, PlatformImport, User
from portal.records.audit import audit_record

MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class PersonPreview:
    """One person of the report: their merged time and what the import would do."""

    email: str
    name: str
    rows: int
    joined_at: datetime
    left_at: datetime
    minutes: int
    enrollment_id: int | None
    action: str  # create, replace, keep (code or manual evidence), unmatched, cancelled


@dataclass(frozen=True)
class ImportPreview:
    """What an import would write, before anything is written."""

    live_session_id: int
    time_zone: str
    rows_total: int
    people: tuple[PersonPreview, ...]
    problems: tuple[str, ...]

    @property
    def matched(self) -> tuple[PersonPreview, ...]:
        """People who match an active enrollment."""
        return tuple(p for p in self.people if p.enrollment_id is not None)

    @property
    def unmatched(self) -> tuple[PersonPreview, ...]:
        """People the import will not write."""
        return tuple(p for p in self.people if p.enrollment_id is None)


def _action(row: Attendance | None) -> str:
    if row is None:
        return "create"
    complete = row.checked_in_at is not None and row.checked_out_at is not None
    return "keep" if complete and row.source in ("code", "manual") else "replace"


def _person(
    session: Session, live: LiveSession, email: str, rows: list[ReportRow]
) -> PersonPreview:
    spans = [(r.joined_at, r.left_at) for r in rows]
    query = (
        select(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .where(func.lower(User.email) == email, Enrollment.offering_id == live.offering_id)
    )
    enrollment = session.scalar(query)
    action, enrollment_id = "unmatched", None
    if enrollment is not None and enrollment.status != "active":
        action = "cancelled"
    elif enrollment is not None:
        enrollment_id = enrollment.id
        action = _action(_record(session, enrollment.id, live.id))
    return PersonPreview(
        email, rows[0].name, len(rows), min(a for a, _ in spans), max(b for _, b in spans),
        merged_minutes(spans, live.starts_at, live.ends_at), enrollment_id, action,
    )  # fmt: skip


def _record(session: Session, enrollment_id: int, live_session_id: int) -> Attendance | None:
    return session.scalar(
        select(Attendance).where(
            Attendance.enrollment_id == enrollment_id,
            Attendance.live_session_id == live_session_id,
        )
    )


def report_preview(
    session: Session, user_id: int, live_session_id: int, data: bytes, time_zone: str
) -> ImportPreview:
    """Matched and unmatched people of a report, by email; nothing is written."""
    live = live_session_for_staff(session, user_id, live_session_id)
    if len(data) > MAX_BYTES:
        raise FieldErrors({"file": "The report is larger than 5 MB."})
    parsed = report_parse(data, time_zone)
    by_email: dict[str, list[ReportRow]] = defaultdict(list)
    for row in parsed.rows:
        by_email[row.email].append(row)
    people = tuple(_person(session, live, e, rows) for e, rows in sorted(by_email.items()))
    return ImportPreview(live.id, time_zone, len(parsed.rows), people, parsed.problems)


def report_import(
    *,
    session: Session,
    user_id: int,
    live_session_id: int,
    data: bytes,
    file_name: str,
    time_zone: str,
    reason: str,
    now: datetime,
) -> PlatformImport:
    """Write the report's evidence for matched people; code and manual evidence is kept."""
    if not reason.strip():
        raise FieldErrors({"reason": "Say why this report is imported (e.g. 'Zoom report')."})
    preview = report_preview(session, user_id, live_session_id, data, time_zone)
    if problem := _timing_problem(live_session_get(session, live_session_id), preview, now):
        raise FieldErrors({"file": problem})
    record = PlatformImport(
        live_session_id=live_session_id, imported_by_id=user_id, imported_at=now,
        file_name=file_name[:255], file_sha256=hashlib.sha256(data).hexdigest(),
        time_zone=time_zone, reason=reason.strip(), rows_total=preview.rows_total,
        people_matched=len(preview.matched), people_unmatched=len(preview.unmatched),
    )  # fmt: skip
    session.add(record)
    session.flush()
    for person in preview.matched:
        if person.action in ("create", "replace"):
            _write(session, person, live_session_id, user_id, record, now)
    audit_record(
        session=session, actor_id=user_id, action="attendance.platform_import",
        subject_type="live_session", subject_id=live_session_id, reason=reason.strip(),
        details={"import_id": record.id, "matched": record.people_matched,
                 "unmatched": record.people_unmatched},
    )  # fmt: skip
    return record


def _timing_problem(live: LiveSession, preview: ImportPreview, now: datetime) -> str | None:
    """Why the report cannot be evidence yet: nothing is credited for time not yet passed."""
    if now < live.starts_at:
        return f"{live.title} has not started yet; import its report once the session is over."
    if any(person.left_at and person.left_at > now for person in preview.matched):
        return "The report has leave times in the future; import it once the session is over."
    return None


def _write(
    session: Session,
    person: PersonPreview,
    live_session_id: int,
    user_id: int,
    record: PlatformImport,
    now: datetime,
) -> None:
    assert person.enrollment_id is not None
    row = _record(session, person.enrollment_id, live_session_id)
    before = snapshot(row)
    if row is None:
        row = Attendance(enrollment_id=person.enrollment_id, live_session_id=live_session_id)
        session.add(row)
    row.checked_in_at, row.checked_out_at = person.joined_at, person.left_at
    row.evidence_minutes, row.source, row.recorded_by_id = person.minutes, "platform", user_id
    row.reason, row.updated_at = f"Platform report {record.file_name}", now
    session.flush()
    change_record(
        session=session, row=row, before=before, actor_id=user_id, action="import",
        reason=record.reason, import_id=record.id,
    )  # fmt: skip
