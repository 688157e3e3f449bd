"""Turning a clock time typed for a session into a UTC instant (sessions may cross midnight)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from portal.timefmt import format_instant, local_date, local_instant


def session_clock_instant(
    clock: time, starts_at: datetime, ends_at: datetime, time_zone: str
) -> datetime:
    """The instant of a wall-clock time during (or around) a session, in the offering's zone.

    The time is taken on the session's first local day, or the next day when that puts it
    well before the start, so 00:30 in a 22:00-01:00 session means after midnight.
    """
    day = local_date(starts_at, time_zone)
    instant = local_instant(day, clock, time_zone)
    if instant < starts_at - timedelta(hours=6) and local_date(ends_at, time_zone) != day:
        instant = local_instant(day + timedelta(days=1), clock, time_zone)
    return instant


def format_both(instant: datetime | None, offering_zone: str, own_zone: str) -> str:
    """'Thu, May 18, 2023, 9:02 AM PDT' plus the person's own time when their zone differs."""
    if instant is None:
        return "—"
    text = format_instant(instant, offering_zone)
    own = format_instant(instant, own_zone)
    return text if own == text else f"{text} (your time: {own})"
