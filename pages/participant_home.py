"""Participant home: the offering, the progress checklist and the schedule."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.certificates import eligibility
from portal.learning import home
from portal.learning.ical import sessions_ics
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
enrollments = ui.query(home.participant_enrollments, user_id=user.id)
if not enrollments:
    st.info("You are not enrolled in an offering yet.")
    st.stop()

browser_zone = st.context.timezone or "UTC"
for rule in ui.query(
    eligibility.attendance_rules_for,
    user_id=user.id,
    content_dir=ui.settings().content_dir,
    now=utc_now(),
):
    st.info(rule.text, icon=":material/schedule:")
for enrollment in enrollments:
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
                    st.page_link(item.page, label=f"Go to {item.label.lower()}")
        st.markdown("**Schedule**")
        rows = [
            {
                "Session": s.title,
                f"Offering time ({offering.time_zone})": format_span(
                    s.starts_at, s.ends_at, offering.time_zone
                ),
                f"Your time ({browser_zone})": format_span(s.starts_at, s.ends_at, browser_zone),
                "Instructional minutes": s.instructional_minutes,
            }
            for s in offering.sessions
        ]
        st.dataframe(rows, hide_index=True, width="stretch")
        ics = sessions_ics(
            course_title=offering.course_title,
            offering_slug=offering.slug,
            sessions=[(s.id, s.title, s.starts_at, s.ends_at) for s in offering.sessions],
            url=ui.settings().public_base_url,
            now=utc_now(),
        )
        st.download_button(
            "Add the sessions to my calendar (.ics)",
            ics,
            file_name=f"{offering.course_slug}-{offering.slug}.ics",
            mime="text/calendar",
            key=f"ics_{enrollment.id}",
            icon=":material/calendar_add_on:",
        )
