"""Instructor home: the offerings this instructor runs."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.learning import home
from portal.timefmt import format_span

user = require_role("instructor")
st.title("Instructor home")
offerings = ui.query(home.offerings_taught_by, user_id=user.id)
if not offerings:
    st.info("You are not assigned to an offering yet. The CE office assigns instructors.")
for offering in offerings:
    with st.container(border=True):
        st.subheader(f"{offering.course_title}")
        st.caption(
            f"{offering.label} · {offering.enrolled} enrolled · times in {offering.time_zone}"
        )
        st.dataframe(
            [
                {
                    "Session": s.title,
                    "When": format_span(s.starts_at, s.ends_at, offering.time_zone),
                    "Instructional minutes": s.instructional_minutes,
                }
                for s in offering.sessions
            ],
            hide_index=True,
            width="stretch",
        )
