"""The participant's progress checklist: each capability contributes its own items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from portal.certificates.progress import certificate_checklist

Status = Literal["done", "todo", "waiting", "blocked"]


@dataclass(frozen=True)
class ChecklistItem:
    """One step toward credit, in plain words, with the page where it is done."""

    label: str
    status: Status
    detail: str = ""
    page: str | None = None


# Each section is a function (session, enrollment_id) -> items; capabilities add theirs here.
ChecklistSection = Callable[[Session, int], list[ChecklistItem]]
SECTIONS: list[ChecklistSection] = [certificate_checklist]


def checklist_for(session: Session, enrollment_id: int) -> tuple[ChecklistItem, ...]:
    """The whole checklist of one enrollment, section by section."""
    return tuple(item for section in SECTIONS for item in section(session, enrollment_id))
