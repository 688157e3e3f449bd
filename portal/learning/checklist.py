"""The participant's progress checklist: each capability contributes its own section."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from portal.attendance.checklist_section import attendance_section
from portal.certificates.progress import certificate_checklist
from portal.enrollment.payments import fee_checklist
from portal.evaluation.eligibility import evaluation_checklist
from portal.learning.checklist_item import ChecklistItem
from portal.learning.progress import progress_checklist

ChecklistSection = Callable[[Session, int], list[ChecklistItem]]

# In the order a participant meets them.
SECTIONS: tuple[ChecklistSection, ...] = (
    fee_checklist,
    progress_checklist,
    attendance_section,
    evaluation_checklist,
    certificate_checklist,
)


def checklist_for(session: Session, enrollment_id: int) -> tuple[ChecklistItem, ...]:
    """The whole checklist of one enrollment, section by section."""
    return tuple(item for section in SECTIONS for item in section(session, enrollment_id))
