"""Admin home: offerings and people at a glance."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.learning import home

require_role("admin")
st.title("CE office")
counts = ui.query(home.people_counts)
left, middle, right = st.columns(3)
left.metric("Participants", counts.get("participant", 0))
middle.metric("Instructors", counts.get("instructor", 0))
right.metric("Admins", counts.get("admin", 0))

st.subheader("Offerings")
offerings = ui.query(home.offerings_all)
st.dataframe(
    [
        {
            "Course": o.course_title,
            "Offering": o.label,
            "Status": o.status,
            "Time zone": o.time_zone,
            "Sessions": len(o.sessions),
            "Enrolled": o.enrolled,
            "Demo": o.is_demo,
        }
        for o in offerings
    ],
    hide_index=True,
    width="stretch",
)
