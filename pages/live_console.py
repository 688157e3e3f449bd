"""Instructor: run a live session — show the rotating code and QR, watch the roster fill."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.attendance import console, roster
from portal.attendance.exports import qr_png
from portal.models import utc_now
from portal.timefmt import format_instant, format_span

user = require_role("instructor", "admin")
st.title("Live session console")
offerings = ui.query(roster.offerings_for_staff, user_id=user.id)
if not offerings:
    ui.fail(ui.NOT_ASSIGNED)
# Opens on the session that is live now (or next today) among the person's offerings.
offering_index, session_index = console.session_to_run(offerings, utc_now())
offering = ui.staff_offering_pick(offerings, key="console_offering", index=offering_index)
if not offering.sessions:
    ui.fail("This offering has no sessions.")
live = st.selectbox(
    f"Session (times in {offering.time_zone})",
    offering.sessions,
    index=session_index if offering.id == offerings[offering_index].id else 0,
    format_func=lambda s: f"{s.title}: {format_span(s.starts_at, s.ends_at, offering.time_zone)}",
    key="console_session",
)

left, right = st.columns(2)
interval = left.number_input(
    "Rotate the code every (minutes)", 1, 60, console.DEFAULT_INTERVAL_MINUTES,
    key="console_interval",
)  # fmt: skip
open_minutes = right.number_input(
    "Keep the window open (minutes)", 1, 240, console.DEFAULT_OPEN_MINUTES,
    key="console_open_minutes",
)  # fmt: skip


def _open(kind: str, confirmed: bool) -> None:
    ui.submit(
        "console", console.window_open, user_id=user.id, live_session_id=live.id, kind=kind,
        now=utc_now(), interval_minutes=interval, open_minutes=open_minutes, confirmed=confirmed,
    )  # fmt: skip


actions = st.columns(4)
labels = {
    ("open", "in"): "Open check-in",
    ("open", "out"): "Open check-out",
    ("close", "in"): "Close check-in",
    ("close", "out"): "Close check-out",
}
for column, ((verb, kind), label) in zip(actions, labels.items(), strict=True):
    if column.button(
        label, key=f"console_{verb}_{kind}", type="primary" if verb == "open" else "secondary"
    ):
        st.session_state.pop("console_confirm", None)
        if verb == "close":
            ui.submit(
                "console", console.window_close, user_id=user.id, live_session_id=live.id,
                kind=kind, now=utc_now(),
            )  # fmt: skip
        elif console.session_is_near(live.starts_at, live.ends_at, utc_now()):
            _open(kind, confirmed=False)
        else:
            st.session_state["console_confirm"] = (kind, live.id)
pending = st.session_state.get("console_confirm")
if pending and pending[1] == live.id:
    kind = pending[0]
    st.warning(console.confirmation_question(live, offering.time_zone, kind))
    yes, no = st.columns(2)
    words = console.KIND_WORDS[kind]
    if yes.button(f"Yes, open {words} for {live.title}", key="console_confirm_yes", type="primary"):
        st.session_state.pop("console_confirm")
        _open(kind, confirmed=True)
        st.rerun()
    if no.button("Cancel", key="console_confirm_no"):
        st.session_state.pop("console_confirm")
        st.rerun()
for field in ("interval", "open_minutes"):
    ui.field_error("console", field)
ui.form_error("console")
base_url = ui.settings().public_base_url


@st.fragment(run_every=1)
@ui.failures_shown("the live console's code")
def codes() -> None:
    """The codes on screen; reruns every second so the countdown and rotation are live."""
    at = utc_now()
    views = ui.query(
        console.windows_open, user_id=user.id, live_session_id=live.id, now=at, base_url=base_url
    )
    if not views:
        st.info("No code is shown. Open check-in near the start and check-out near the end.")
    for view in views:
        words = console.KIND_WORDS[view.kind]
        with st.container(border=True):
            st.subheader(f"{words.capitalize()} code")
            code, qr = st.columns([3, 2])
            spaced = f"{view.code[:3]} {view.code[3:]}"
            # Generated from a fixed alphabet of letters and digits: safe to place in HTML.
            code.markdown(
                # nowrap and a size that fits the column: a code split over two lines misleads.
                f"<div style='font-size:clamp(2.5rem,5vw,5rem);font-family:monospace;"
                f"font-weight:700;letter-spacing:0.1em;line-height:1.1;white-space:nowrap'>"
                f"{spaced}</div>",
                unsafe_allow_html=True,
            )
            left_s = max(0, int((view.rotates_at - at).total_seconds()))
            code.markdown(f"**New {words} code in {left_s // 60}:{left_s % 60:02d}**")
            code.caption(
                f"The {words} window closes {format_instant(view.closes_at, offering.time_zone)}. "
                f"The previous {words} code still counts for a minute after it changes."
            )
            with qr:
                ui.image_png(
                    qr_png(view.check_in_url),
                    alt=f"QR code: opens the check-in page with the {words} code {spaced}",
                    width=260,
                )
                st.caption(f"Scan to {words.replace('-', ' ')}")


@st.fragment(run_every=5)
@ui.failures_shown("the live console's check-in feed")
def live_feed() -> None:
    """Counts and the latest check-ins; refreshes by itself, sending only what changed."""
    key = f"console_feed_{live.id}"
    since, shown = st.session_state.get(key, (None, ()))
    feed = ui.query(roster.live_feed, user_id=user.id, live_session_id=live.id, since=since)
    shown = roster.feed_merge(shown, feed.changes)
    st.session_state[key] = (feed.as_of, shown)
    a, b, c = st.columns(3)
    a.metric("Checked in", feed.counts.checked_in)
    b.metric("Checked out", feed.counts.checked_out)
    c.metric("Missing", feed.counts.missing)
    tz = offering.time_zone
    for change in shown:
        out = change.checked_out_at
        verb = "checked out" if out else "checked in"
        at = (
            format_instant(out or change.checked_in_at, tz)
            if (out or change.checked_in_at)
            else "—"
        )
        st.caption(f"{ui.escape_markdown(change.name)} {verb} · {at}")


def roster_table() -> None:
    """The roster by name, a page at a time; searched and filtered on demand."""
    left, right = st.columns([3, 2])
    search = left.text_input("Find by name", key="console_roster_search")
    missing_only = right.toggle("Only those missing", key="console_roster_missing")
    total = ui.query(
        roster.live_people_count, user_id=user.id, live_session_id=live.id,
        missing_only=missing_only, search=search,
    )  # fmt: skip
    limit, offset = ui.pager("console_roster_page", total, "people")
    people = ui.query(
        roster.live_people, user_id=user.id, live_session_id=live.id,
        missing_only=missing_only, search=search, limit=limit, offset=offset,
    )  # fmt: skip
    tz = offering.time_zone
    rows = [
        {
            "Name": p.name,
            "Checked in": format_instant(p.checked_in_at, tz) if p.checked_in_at else "—",
            "Checked out": format_instant(p.checked_out_at, tz) if p.checked_out_at else "—",
            "Enrollment": p.enrollment_status,
        }
        for p in people
    ]
    st.dataframe(rows, hide_index=True, width="stretch", key="console_roster")


codes()
st.subheader("Check-ins")
live_feed()
st.subheader("Roster")
roster_table()
