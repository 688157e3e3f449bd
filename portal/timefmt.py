"""Showing UTC instants in an offering's or a participant's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """The IANA zone by name, or the fallback when the name is unknown or empty."""
    try:
        return ZoneInfo(name or fallback)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def local_instant(day: date, clock: time, time_zone: str) -> datetime:
    """A wall-clock time in a zone, as a UTC instant (DST handled by zoneinfo)."""
    return datetime.combine(day, clock, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def local_date(instant: datetime, time_zone: str) -> date:
    """The calendar date of an instant in a zone."""
    return instant.astimezone(zone(time_zone)).date()


def format_day(day: date) -> str:
    """'Thu, May 18, 2023': the date part of every instant the portal shows."""
    return f"{day:%a, %b} {day.day}, {day:%Y}"


# Pages redraw the same instants on every run (Check in, several times a second in a live
# session); the text of an instant in a zone never changes.
@lru_cache(maxsize=4096)
def format_instant(instant: datetime, time_zone: str) -> str:
    """'Thu, May 18, 2023, 9:00 AM PDT' in the zone: the one way the portal shows an instant."""
    local = instant.astimezone(zone(time_zone))
    return f"{format_day(local.date())}, {format_clock(local)}"


def format_clock(local: datetime) -> str:
    """'9:00 AM PDT' for a zone-aware local time."""
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M %p} {local.tzname()}"


@lru_cache(maxsize=4096)
def format_span(starts_at: datetime, ends_at: datetime, time_zone: str) -> str:
    """'Thu, May 18, 2023, 9:00 AM – 12:00 PM PDT' (end date shown when it differs)."""
    start, end = starts_at.astimezone(zone(time_zone)), ends_at.astimezone(zone(time_zone))
    start_text = format_instant(starts_at, time_zone)
    if start.date() != end.date():
        return f"{start_text} – {format_instant(ends_at, time_zone)}"
    start_clock = format_clock(start).rsplit(" ", 1)[0]
    return f"{start_text.rsplit(', ', 1)[0]}, {start_clock} – {format_clock(end)}"
