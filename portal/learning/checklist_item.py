"""One step of the participant's progress checklist, as every capability reports it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["done", "todo", "waiting", "blocked"]


@dataclass(frozen=True)
class ChecklistItem:
    """One step toward credit, in plain words, with the page where it is done."""

    label: str
    status: Status
    detail: str = ""
    page: str | None = None
