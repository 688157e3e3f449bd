"""Reading a video platform's participant report (Zoom's CSV export and alike): pure functions."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime

from portal.timefmt import zone

TIME_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %I:%M:%S %p",
)
COLUMNS = {"name": ("name", "participant"), "email": ("email",), "join": ("join",)}
COLUMNS |= {"leave": ("leave",), "duration": ("duration",)}


@dataclass(frozen=True)
class ReportRow:
    """One join/leave row of the report."""

    line: int
    name: str
    email: str
    joined_at: datetime
    left_at: datetime


@dataclass(frozen=True)
class ParsedReport:
    """The usable rows and, for the others, what was wrong with them."""

    rows: tuple[ReportRow, ...]
    problems: tuple[str, ...]


def report_time(text: str, time_zone: str) -> datetime:
    """A report's time as a UTC instant; times without an offset are in the given zone."""
    text = text.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        for fmt in TIME_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if parsed is None:
            raise ValueError(f"unreadable time {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(time_zone))
    return parsed.astimezone(UTC)


def _header(rows: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    for number, cells in enumerate(rows):
        lowered = [c.strip().lower() for c in cells]
        found = {}
        for key, words in COLUMNS.items():
            index = next((i for i, c in enumerate(lowered) if any(w in c for w in words)), None)
            if index is not None:
                found[key] = index
        if {"email", "join", "leave"} <= found.keys():
            return number, found
    return None


def report_parse(data: bytes, time_zone: str) -> ParsedReport:
    """The join/leave rows of a participant report; meeting details above the header are skipped."""
    text = data.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text)))
    header = _header(rows)
    if header is None:
        return ParsedReport((), ("No header with email, join time and leave time columns.",))
    start, columns = header
    parsed, problems = [], []
    for number, cells in enumerate(rows[start + 1 :], start=start + 2):
        if not any(c.strip() for c in cells):
            continue
        try:
            parsed.append(_row(number, cells, columns, time_zone))
        except (ValueError, IndexError) as error:
            problems.append(f"Line {number}: {error}")
    return ParsedReport(tuple(parsed), tuple(problems))


def _row(number: int, cells: list[str], columns: dict[str, int], time_zone: str) -> ReportRow:
    email = cells[columns["email"]].strip().lower()
    if "@" not in email:
        raise ValueError("no email address")
    joined = report_time(cells[columns["join"]], time_zone)
    left = report_time(cells[columns["leave"]], time_zone)
    if left < joined:
        raise ValueError("leave time is before join time")
    name = cells[columns["name"]].strip() if "name" in columns else ""
    return ReportRow(number, name, email, joined, left)


def merged_minutes(
    spans: list[tuple[datetime, datetime]], starts_at: datetime, ends_at: datetime
) -> int:
    """Minutes covered by the spans within the session; overlapping spans count once."""
    clipped = sorted((max(a, starts_at), min(b, ends_at)) for a, b in spans)
    total, current_start, current_end = 0.0, None, None
    for a, b in clipped:
        if b <= a:
            continue
        if current_end is None or a > current_end:
            if current_end is not None and current_start is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = a, b
        else:
            current_end = max(current_end, b)
    if current_end is not None and current_start is not None:
        total += (current_end - current_start).total_seconds()
    return int(total // 60)
