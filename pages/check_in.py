"""Participant: check in and out of a live session with the instructor's code."""

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from portal import ui
from portal.accounts.ui import require_role
from portal.attendance import checkin, corrections, mine
from portal.attendance.localtime import format_both, session_clock_instant
from portal.models import utc_now
from portal.timefmt import format_span

user = require_role("participant")
ui.show_flash()
st.title("Check in")
own_zone = st.context.timezone or "UTC"
# The rules are shown here but read below with the rest, after any code is submitted.
rules_shown = st.empty()

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


def _correction_form(request: DeltaGenerator, offering: mine.MyOffering, form: str) -> None:
    """The correction request form of one offering, in its open expander."""
    with request, st.form(form):
        chosen = st.selectbox(
            "Session",
            offering.sessions,
            format_func=lambda s: s.attendance.title,
            key=f"{form}_session",
        )
        note = st.text_area("What happened?", key=f"{form}_note", max_chars=2000)
        suggest = st.checkbox(f"Suggest times ({offering.time_zone})", key=f"{form}_suggest")
        clock_in = st.time_input("I joined at", value=None, key=f"{form}_in")
        clock_out = st.time_input("I left at", value=None, key=f"{form}_out")
        sent = st.form_submit_button("Send request", key=f"{form}_send")
    if not sent or chosen is None:
        return
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
        ui.flash_rerun("Your request was sent to the instructor.")


def _session_item(s: mine.MySession, zone: str) -> str:
    """One session's evidence as a short list item rather than a table row: it stacks on a
    phone."""
    a = s.attendance
    return (
        f"- **{ui.escape_markdown(a.title)}** — {a.status}, {a.minutes_attended} of "
        f"{a.instructional_minutes} minutes  \n"
        f"  Checked in: {format_both(a.checked_in_at, zone, own_zone)}  \n"
        f"  Checked out: {format_both(a.checked_out_at, zone, own_zone)}  \n"
        f"  Evidence: {a.source or '—'} · correction request: {s.request_status or '—'}"
    )


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

view = ui.query(
    mine.check_in_view, user_id=user.id, now=utc_now(), content_dir=ui.settings().content_dir
)
if view.rules:
    with rules_shown.container():
        for rule in view.rules:
            st.info(rule.text, icon=":material/schedule:")
st.subheader("Live now")
live_now = view.live_now
if not live_now:
    st.info("None of your sessions is live right now.")
windows = {"in": "Check-in is open", "out": "Check-out is open"}
for live in live_now:
    opened = " · ".join(windows[k] for k in live.open_kinds) or "No code is being shown right now."
    # One markdown block per card (each element is a message to the browser on every run).
    st.container(border=True).markdown(
        f"**{ui.escape_markdown(live.title)}** · {ui.escape_markdown(live.offering_label)}  \n"
        f":small[{format_span(live.starts_at, live.ends_at, live.time_zone)} · your time: "
        f"{format_span(live.starts_at, live.ends_at, own_zone)}]\n\n"
        f"{opened}\n\n"
        f"Checked in: {format_both(live.checked_in_at, live.time_zone, own_zone)}  \n"
        f"Checked out: {format_both(live.checked_out_at, live.time_zone, own_zone)}"
    )

st.subheader("Your attendance")
for offering in view.offerings:
    # One markdown block per offering: each element is a message to the browser on every run.
    sessions = "\n".join(_session_item(s, offering.time_zone) for s in offering.sessions)
    label = ui.escape_markdown(offering.offering_label)
    st.markdown(f"**{label}** — overall: {offering.status}\n\n{sessions}")
    if offering.enrollment_status != "active":
        continue
    form = f"correction_{offering.enrollment_id}"
    # The form is built only while the expander is open (opening it reruns the page): its
    # fields would otherwise cost every run of the page, most of them by people who never
    # ask for a correction.
    request = st.expander("Request a correction", key=f"{form}_open", on_change="rerun")
    if request.open:
        _correction_form(request, offering, form)
    for field in ("note", "checked_out_at"):
        ui.field_error(form, field)
    ui.form_error(form)
