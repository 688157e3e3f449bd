"""Calendar file renderer: an offering's sessions as an .ics file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from icalendar import Calendar, Event

from portal.models import utc_now

Sessions = tuple[tuple[int, str, datetime, datetime], ...]


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


@lru_cache(maxsize=256)
def sessions_ics_cached(
    *, course_title: str, offering_slug: str, sessions: Sessions, url: str
) -> bytes:
    """sessions_ics made once per schedule and process (Home offers it on every run): its
    stamp is when this process first made the file, which changes only with the sessions."""
    return sessions_ics(
        course_title=course_title,
        offering_slug=offering_slug,
        sessions=sessions,
        url=url,
        now=utc_now(),
    )
