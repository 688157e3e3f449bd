"""Participant: ask the instructor to correct one's attendance at a session of an offering."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.attendance import corrections, mine
from portal.attendance.localtime import session_clock_instant
from portal.models import utc_now

user = require_role("participant")
st.title("Request a correction")
st.page_link("pages/check_in.py", label="Back to Check in", icon=":material/arrow_back:")
# Check in links here with the enrollment in the address; only the person's own is found.
wanted = st.query_params.get("enrollment", "")
offering = (
    ui.query(mine.correction_offering, user_id=user.id, enrollment_id=int(wanted))
    if wanted.isdigit()
    else None
)
if offering is None:
    ui.fail("Open this page from Check in, with “Request a correction” under your offering.")
form = f"correction_{offering.enrollment_id}"
st.caption(f"{ui.escape_markdown(offering.offering_label)} · times in {offering.time_zone}")
with st.form(form):
    chosen = st.selectbox(
        "Session",
        offering.sessions,
        format_func=lambda s: s.attendance.title,
        key=f"{form}_session",
    )
    note = st.text_area("What happened?", key=f"{form}_note", max_chars=2000)
    ui.field_error(form, "note")
    suggest = st.checkbox(f"Suggest times ({offering.time_zone})", key=f"{form}_suggest")
    clock_in = st.time_input("I joined at", value=None, key=f"{form}_in")
    clock_out = st.time_input("I left at", value=None, key=f"{form}_out")
    ui.field_error(form, "checked_out_at")
    sent = st.form_submit_button("Send request", key=f"{form}_send", type="primary")
ui.form_error(form)
if sent and chosen is not None:
    a = chosen.attendance
    times = {
        key: session_clock_instant(clock, a.starts_at, a.ends_at, offering.time_zone)
        if suggest and clock
        else None
        for key, clock in (("requested_check_in", clock_in), ("requested_check_out", clock_out))
    }
    done = ui.submit(
        form, corrections.correction_request, user_id=user.id,
        enrollment_id=offering.enrollment_id, live_session_id=a.live_session_id,
        note=note, now=utc_now(), **times,
    )  # fmt: skip
    if done is not None:
        ui.flash("Your request was sent to the instructor.")
        st.switch_page("pages/check_in.py")
    st.rerun()  # the refusal is shown beside its field
