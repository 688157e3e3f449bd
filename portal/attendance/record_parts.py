"""Attendance in the CE office's records: the bundle's evidence files and a person's section.

Listed by name in portal.records.bundle (BUNDLE_PARTS, PERSON_SECTIONS); this module imports
portal.records.bundle, never the other way round.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session

from portal.attendance.exports import roster_csv
from portal.attendance.history import offering_changes
from portal.attendance.mine import my_attendance
from portal.attendance.roster import roster_of
from portal.records.parts import BundleFile, RecordSection
from portal.tabular import csv_bytes
from portal.timefmt import format_instant

CHANGES_HEADER = (
    "enrollment_id", "name", "session", "at_utc", "by", "action", "source", "reason",
    "before", "after",
)  # fmt: skip


def attendance_parts(session: Session, offering_id: int) -> list[BundleFile]:
    """attendance-roster.csv (license numbers, in/out/minutes/status per session) and
    attendance-changes.csv (every change with its before and after evidence)."""
    rows = [
        [
            c.enrollment_id, c.name, c.session_title, c.change.at.isoformat(), c.change.actor,
            c.change.action, c.change.source, c.change.reason,
            json.dumps(c.change.before, sort_keys=True), json.dumps(c.change.after, sort_keys=True),
        ]
        for c in offering_changes(session, offering_id)
    ]  # fmt: skip
    return [
        ("attendance-roster.csv", roster_csv(roster_of(session, offering_id))),
        ("attendance-changes.csv", csv_bytes(CHANGES_HEADER, rows)),
    ]


def _when(instant: datetime | None, time_zone: str) -> str:
    return format_instant(instant, time_zone) if instant else "—"


def attendance_section(session: Session, user_id: int) -> RecordSection | None:
    """Attendance per offering and session: in, out, minutes and status."""
    offerings = my_attendance(session, user_id)
    if not offerings:
        return None
    rows = tuple(
        {
            "Offering": o.offering_label,
            "Session": s.attendance.title,
            "In": _when(s.attendance.checked_in_at, o.time_zone),
            "Out": _when(s.attendance.checked_out_at, o.time_zone),
            "Source": s.attendance.source or "—",
            "Minutes": str(s.attendance.minutes_attended),
            "Status": s.attendance.status,
            "Offering status": o.status,
        }
        for o in offerings
        for s in o.sessions
    )
    return RecordSection("Attendance", rows)
