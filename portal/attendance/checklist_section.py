"""The attendance section of the participant's Home checklist: one item per session."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from portal.attendance.status import SessionAttendance, attendance_summary
from portal.learning.checklist_item import ChecklistItem
from portal.models import utc_now

if TYPE_CHECKING:
    from portal.learning.facts import EnrollmentFacts

CHECK_IN_PAGE = "pages/check_in.py"


def _item(s: SessionAttendance, active: bool, now: datetime) -> ChecklistItem:
    label = f"Attend {s.title}"
    if s.status == "present":
        return ChecklistItem(label, "done", f"{s.minutes_attended} minutes attended")
    if not active:
        return ChecklistItem(label, "blocked", "Enrollment cancelled")
    if now < s.starts_at:
        return ChecklistItem(label, "waiting", "Check in with the instructor's code when it starts")
    if now <= s.ends_at:
        detail = "Checked in — check out at the end" if s.checked_in_at else "Check in now"
        return ChecklistItem(label, "todo", detail, CHECK_IN_PAGE)
    detail = "Partial attendance" if s.status == "partial" else "No attendance recorded"
    return ChecklistItem(
        label, "blocked", f"{detail} — you may request a correction", CHECK_IN_PAGE
    )


def attendance_section(session: Session, enrollment_id: int) -> list[ChecklistItem]:
    """Attendance per session of the enrollment's offering."""
    summary = attendance_summary(session, enrollment_id)
    now = utc_now()
    return [_item(s, summary.enrollment_active, now) for s in summary.sessions]


def attendance_items(facts: EnrollmentFacts) -> list[ChecklistItem]:
    """The Home checklist's attendance section, from the facts the page read once."""
    summary = facts.summary
    return [_item(s, summary.enrollment_active, facts.now) for s in summary.sessions]
