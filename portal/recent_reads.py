"""Reads a browser session keeps for a few seconds, so reruns of one page do not re-read."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

# How stale a kept read may be. A rerun that only opens an expander or answers a widget
# reuses it; anything the person does drops it (clear), and so does a new browser session.
RECENT_SECONDS = 5.0


@dataclass
class RecentReads:
    """One browser session's recent reads, each under the function and arguments that made it.

    Values must be plain, immutable data (frozen dataclasses, tuples): the next run gets the
    same object back.
    """

    _kept: dict[Hashable, tuple[float, Any]] = field(default_factory=dict)

    def get(self, key: Hashable, read: Callable[[], T]) -> T:
        """The value kept under key if younger than RECENT_SECONDS; otherwise read, keep it,
        and return it."""
        now = time.monotonic()
        kept = self._kept.get(key)
        if kept is not None and now - kept[0] < RECENT_SECONDS:
            return kept[1]  # type: ignore[no-any-return]
        value = read()
        self._kept[key] = (now, value)
        return value

    def clear(self) -> None:
        """Forget every kept read (after the person acted: what they see must show it)."""
        self._kept.clear()
