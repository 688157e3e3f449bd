"""Calendar file renderer: an offering's sessions as an .ics file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from icalendar import Calendar, Event


def sessions_ics(
    *,
    course_title: str,
    offering_slug: str,
    sessions: Sequence[tuple[int, str, datetime, datetime]],
    url: str,
    now: datetime,
) -> bytes:
    """An iCalendar file with one event per (id, title, start, end) session, in UTC."""
    calendar = Calendar()
    calendar.add("prodid", "-//CE participant portal//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    for session_id, title, starts_at, ends_at in sessions:
        event = Event()
        event.add("uid", f"session-{session_id}-{offering_slug}@ce-portal")
        event.add("summary", f"{course_title} — {title}")
        event.add("dtstart", starts_at)
        event.add("dtend", ends_at)
        event.add("dtstamp", now)
        event.add("url", url)
        event.add("description", f"Live online session. Sign in to the portal to check in: {url}")
        calendar.add_component(event)
    return calendar.to_ical()
