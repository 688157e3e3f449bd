"""One step of the participant's progress checklist, as every capability reports it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from portal.navigation import link_label

Status = Literal["done", "todo", "waiting", "blocked"]


@dataclass(frozen=True)
class ChecklistItem:
    """One step toward credit, in plain words, with the page where it is done."""

    label: str
    status: Status
    detail: str = ""
    page: str | None = None

    @property
    def link_label(self) -> str:
        """The words of the link to the item's page: 'Open Check in' (the menu's title)."""
        return link_label(self.page or "")
