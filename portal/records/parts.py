"""The shapes each capability's records take in the Records ZIP and a person's record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

BundleFile = tuple[str, bytes]
BundleResult = BundleFile | Sequence[BundleFile] | None


@dataclass(frozen=True)
class RecordSection:
    """One titled table of a person's record."""

    title: str
    rows: tuple[dict[str, str], ...]
    note: str = ""
