"""The Check in page's cards as markdown: pure, and cached because the page redraws the same
view (a recent read) on every run, several times a second in a live session."""

from __future__ import annotations

from functools import lru_cache

from portal.attendance.localtime import format_both
from portal.attendance.mine import LiveNow, MyOffering, MySession
from portal.certificates.eligibility import AttendanceRule
from portal.text import escape_markdown
from portal.timefmt import format_span

_WINDOWS = {"in": "Check-in is open", "out": "Check-out is open"}


def title_block(rules: tuple[AttendanceRule, ...]) -> str:
    """The page's title with the attendance rule of each active offering under it, as one
    block (each element is a message to the browser on every run)."""
    quoted = "".join(f"\n\n> :material/schedule: {escape_markdown(r.text)}" for r in rules)
    return f"# Check in{quoted}"


@lru_cache(maxsize=1024)
def live_card(live: LiveNow, own_zone: str) -> str:
    """A live session: what it is, when (also in the person's zone), which code window is
    open and the person's check-in and check-out."""
    opened = " · ".join(_WINDOWS[k] for k in live.open_kinds) or "No code is being shown right now."
    return (
        f"**Live now:** **{escape_markdown(live.title)}** · "
        f"{escape_markdown(live.offering_label)}  \n"
        f":small[{format_span(live.starts_at, live.ends_at, live.time_zone)} · your time: "
        f"{format_span(live.starts_at, live.ends_at, own_zone)}]\n\n"
        f"{opened}\n\n"
        f"Checked in: {format_both(live.checked_in_at, live.time_zone, own_zone)}  \n"
        f"Checked out: {format_both(live.checked_out_at, live.time_zone, own_zone)}"
    )


@lru_cache(maxsize=1024)
def offering_block(offering: MyOffering, own_zone: str) -> str:
    """An offering's overall status and, one list item per session, the person's evidence."""
    sessions = "\n".join(_session_item(s, offering.time_zone, own_zone) for s in offering.sessions)
    label = escape_markdown(offering.offering_label)
    return f"**{label}** — overall: {offering.status}\n\n{sessions}"


def _session_item(s: MySession, zone: str, own_zone: str) -> str:
    """One session's evidence as a short list item rather than a table row: it stacks on a
    phone."""
    a = s.attendance
    return (
        f"- **{escape_markdown(a.title)}** — {a.status}, {a.minutes_attended} of "
        f"{a.instructional_minutes} minutes  \n"
        f"  Checked in: {format_both(a.checked_in_at, zone, own_zone)}  \n"
        f"  Checked out: {format_both(a.checked_out_at, zone, own_zone)}  \n"
        f"  Evidence: {a.source or '—'} · correction request: {s.request_status or '—'}"
    )
