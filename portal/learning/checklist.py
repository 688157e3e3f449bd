"""The participant's progress checklist: each capability contributes its own items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Literal

from sqlalchemy.orm import Session

Status = Literal["done", "todo", "waiting", "blocked"]


@dataclass(frozen=True)
class ChecklistItem:
    """One step toward credit, in plain words, with the page where it is done."""

    label: str
    status: Status
    detail: str = ""
    page: str | None = None


ChecklistSection = Callable[[Session, int], list[ChecklistItem]]

# Each capability's section, "module:function" of (session, enrollment_id) -> items, in the
# order a participant meets them. Named rather than imported: the sections import this module.
SECTIONS: tuple[str, ...] = (
    "portal.enrollment.payments:fee_checklist",
    "portal.learning.progress:progress_checklist",
    "portal.attendance.checklist_section:attendance_section",
    "portal.evaluation.eligibility:evaluation_checklist",
    "portal.certificates.progress:certificate_checklist",
)


@cache
def _section(path: str) -> ChecklistSection:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


def checklist_for(session: Session, enrollment_id: int) -> tuple[ChecklistItem, ...]:
    """The whole checklist of one enrollment, section by section."""
    return tuple(item for path in SECTIONS for item in _section(path)(session, enrollment_id))
