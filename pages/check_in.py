"""Participant: check in and out of a live session with the instructor's code."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.attendance import check_in_text, checkin, mine
from portal.attendance.localtime import format_both
from portal.models import utc_now

user = require_role("participant")
ui.show_flash()
own_zone = st.context.timezone or "UTC"


def _view() -> mine.CheckInView:
    """A recent read: a submitted code drops it, so after one this reads afresh."""
    content_dir = ui.settings().content_dir
    return ui.query_recent(
        mine.check_in_view, user_id=user.id, now=utc_now(), content_dir=content_dir
    )


# A code submitted below changes the evidence, never the rules: they come from this read.
st.markdown(check_in_text.title_block(_view().rules))

# The QR code opens this page with ?code=: a signed-in person is checked in by opening it.
# The code leaves the address at once, so a reload or a shared link submits nothing.
scanned = st.query_params.get("code", "")
if scanned:
    del st.query_params["code"]
with st.form("check_in_form", clear_on_submit=False):
    code = st.text_input(
        "Code on the instructor's screen",
        value=scanned,
        max_chars=12,
        key="checkin_code",
        placeholder="e.g. KX7 HMP",
    )
    submitted = st.form_submit_button("Submit code", key="checkin_submit", type="primary")


def _send(typed: str, leave_early: bool) -> checkin.CheckinOutcome | None:
    return ui.submit(
        "check_in", checkin.attendance_code_submit, user_id=user.id, code=typed,
        now=utc_now(), leave_early=leave_early,
    )  # fmt: skip


# An early check-out waits for the person's answer (the buttons below) before it is recorded.
pending = st.session_state.get("checkin_pending")
outcome = None
if submitted or scanned:
    st.session_state.pop("checkin_pending", None)
    code = code if submitted else scanned
    outcome = _send(code, leave_early=False)
elif pending and st.session_state.get("checkin_leave"):
    st.session_state.pop("checkin_pending")
    outcome = _send(pending[0], leave_early=True)
elif pending and st.session_state.get("checkin_stay"):
    st.session_state.pop("checkin_pending")
    st.info("Nothing was recorded. Check out with the code the instructor shows at the end.")
if outcome is not None and outcome.needs_confirmation:
    st.session_state["checkin_pending"] = (code, outcome.message)
elif outcome is not None and outcome.ok:
    show = st.warning if outcome.warning else st.success
    show(f"{outcome.message} Recorded: {format_both(outcome.at, own_zone, own_zone)}.")
elif outcome is not None:
    st.error(outcome.message)
if pending := st.session_state.get("checkin_pending"):
    st.warning(pending[1], icon=":material/warning:")
    leave, stay = st.columns(2)
    leave.button("Check out now anyway", key="checkin_leave", type="primary")
    stay.button("Don't check out yet", key="checkin_stay")
ui.field_error("check_in", "code")
ui.form_error("check_in")

view = _view()
# "Live now" leads each card rather than heading them: each element is a message to the
# browser on every run. Green is kept for what the person just did.
if not view.live_now:
    st.info("**Live now:** none of your sessions.", icon=":material/videocam_off:")
for live in view.live_now:
    st.info(check_in_text.live_card(live, own_zone), icon=":material/videocam:")

heading = "### Your attendance\n\n"  # in the first offering's block: one message fewer
if not view.offerings:
    st.markdown(heading)
for offering in view.offerings:
    # One markdown block per offering: each element is a message to the browser on every run.
    st.markdown(heading + check_in_text.offering_block(offering, own_zone))
    heading = ""
    if offering.enrollment_status == "active":
        st.page_link(
            ui.menu_page(user.role, "attendance_correction.py"),
            label="Request a correction",
            icon=":material/edit_calendar:",
            query_params={"enrollment": str(offering.enrollment_id)},
        )
