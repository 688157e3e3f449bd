"""Participant home: the offering, the progress checklist and the schedule."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.learning import home
from portal.learning.ical import sessions_ics_cached
from portal.models import utc_now
from portal.timefmt import format_span

STATUS_ICONS = {
    "done": ":material/check_circle:",
    "todo": ":material/radio_button_unchecked:",
    "waiting": ":material/schedule:",
    "blocked": ":material/block:",
}

user = require_role("participant")
ui.show_flash()
st.title(f"Welcome, {user.full_name}")
settings = ui.settings()
view = ui.query(
    home.participant_home,
    user_id=user.id,
    now=utc_now(),
    content_dir=settings.content_dir,
    storage_dir=settings.storage_dir,
)
if not view.enrollments:
    st.info("You are not enrolled in an offering yet.")
    st.page_link("pages/enroll.py", label="Enroll in an offering", icon=":material/payments:")
    ui.stop()
# First on the screen (a phone shows little more): the session to check in or out of now.
for live in view.live_now:
    if live.checked_out_at is not None:
        continue
    with st.container(border=True):
        st.markdown(f"**{ui.escape_markdown(live.title)} is live now**")
        st.page_link(
            "pages/check_in.py",
            label="Check out at the end" if live.checked_in_at else "Check in now",
            icon=":material/how_to_reg:",
        )
browser_zone = st.context.timezone or "UTC"
for rule in view.attendance_rules:
    st.info(rule.text, icon=":material/schedule:")
for enrollment in view.enrollments:
    offering = enrollment.offering
    with st.container(border=True):
        st.subheader(offering.course_title)
        st.caption(f"{offering.label} · enrollment {enrollment.status}")
        if enrollment.checklist:
            st.markdown("**Your progress**")
            for item in enrollment.checklist:
                line = f"{STATUS_ICONS[item.status]} {ui.escape_markdown(item.label)}"
                if item.detail:
                    line += f" — {ui.escape_markdown(item.detail)}"
                st.markdown(line)
                if item.page:
                    st.page_link(item.page, label=item.link_label)
        if enrollment.owed_cents:
            with st.expander("How to pay"):
                ui.payment_instructions(enrollment.payment)
        st.markdown(f"**Schedule** (times in {offering.time_zone})")
        # One line per session rather than a table: it wraps on a phone instead of scrolling.
        for s in offering.sessions:
            when = format_span(s.starts_at, s.ends_at, offering.time_zone)
            own = format_span(s.starts_at, s.ends_at, browser_zone)
            st.markdown(
                f"- **{ui.escape_markdown(s.title)}**: {when}"
                + ("" if own == when else f" (your time: {own})")
                + f" · {s.instructional_minutes} instructional minutes"
            )
        ics = sessions_ics_cached(
            course_title=offering.course_title,
            offering_slug=offering.slug,
            sessions=tuple((s.id, s.title, s.starts_at, s.ends_at) for s in offering.sessions),
            url=settings.public_base_url,
        )
        st.download_button(
            "Add the sessions to my calendar (.ics)",
            ics,
            file_name=f"{offering.course_slug}-{offering.slug}.ics",
            mime="text/calendar",
            key=f"ics_{enrollment.id}",
            icon=":material/calendar_add_on:",
        )
