"""Instructor and admin: roster and exports, marks and corrections, requests, platform reports."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.attendance import corrections, exports, platform_import, roster
from portal.attendance.history import snapshot_text
from portal.attendance.localtime import session_clock_instant
from portal.models import utc_now
from portal.timefmt import format_instant

user = require_role("instructor", "admin")
ui.show_flash()
st.title("Attendance")
offerings = ui.query(roster.offerings_for_staff, user_id=user.id)
offering = ui.staff_offering_pick(offerings, key="manage_offering")
tz = offering.time_zone
data = ui.query(roster.offering_roster, user_id=user.id, offering_id=offering.id)
# Keyed, so saving a mark (which reruns the page) stays on the tab in use.
tab_roster, tab_mark, tab_requests, tab_import = st.tabs(
    ["Roster", "Mark or correct", "Correction requests", "Import platform report"],
    key="manage_tab",
    on_change="rerun",
)

with tab_roster:
    st.caption(f"Times in {tz}. Keep rosters at least as long as the course's retention period.")
    table = exports.roster_table(data)
    st.dataframe(
        [dict(zip(table[0], r, strict=True)) for r in table[1:]],
        hide_index=True,
        key="manage_roster",
    )
    name = f"attendance-{offering.course_slug}-{offering.slug}"
    csv_col, xlsx_col = st.columns(2)
    csv_col.download_button(
        "Download CSV", exports.roster_csv(data), f"{name}.csv", "text/csv", key="manage_csv"
    )
    xlsx_col.download_button(
        "Download XLSX",
        exports.roster_xlsx(data),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="manage_xlsx",
    )

with tab_mark:
    if not data.rows or not offering.sessions:
        st.info("Nobody is enrolled yet.")
    else:
        person = st.selectbox(
            "Participant",
            data.rows,
            format_func=lambda r: f"{r.name} ({r.email})",
            key="mark_person",
        )
        live = st.selectbox(
            "Session", offering.sessions, format_func=lambda s: s.title, key="mark_session"
        )
        with st.form("mark_form"):
            st.caption(f"Times in {tz}. Leave a time empty to record no check-in or check-out.")
            clock_in = st.time_input("Checked in at", value=None, key="mark_in", step=60)
            clock_out = st.time_input("Checked out at", value=None, key="mark_out", step=60)
            reason = st.text_input("Reason (kept on record)", key="mark_reason", max_chars=500)
            marked = st.form_submit_button("Save attendance", key="mark_save", type="primary")
        if marked:
            at = {
                key: session_clock_instant(clock, live.starts_at, live.ends_at, tz)
                if clock
                else None
                for key, clock in (("checked_in_at", clock_in), ("checked_out_at", clock_out))
            }
            saved = ui.submit(
                "mark", corrections.attendance_mark, actor_id=user.id,
                enrollment_id=person.enrollment_id, live_session_id=live.id, reason=reason,
                now=utc_now(), **at,
            )  # fmt: skip
            if saved is not None:
                ui.flash_rerun(f"Attendance of {person.name} at {live.title} saved.")
        for field in ("reason", "checked_in_at", "checked_out_at"):
            ui.field_error("mark", field)
        ui.form_error("mark")
        st.markdown("**History of this record**")
        changes = ui.query(
            roster.record_history, user_id=user.id, enrollment_id=person.enrollment_id,
            live_session_id=live.id,
        )  # fmt: skip
        st.dataframe(
            [
                {
                    "When": format_instant(h.at, tz), "By": h.actor, "Change": h.action,
                    "Source": h.source, "Reason": h.reason,
                    "Before": snapshot_text(h.before, tz),
                    "After": snapshot_text(h.after, tz),
                }
                for h in changes
            ],
            hide_index=True,
            key="mark_history",
        )  # fmt: skip

with tab_requests:
    requests = ui.query(roster.correction_requests, user_id=user.id, offering_id=offering.id)
    if not requests:
        st.info("No correction requests are waiting.")
    for r in requests:
        with st.container(border=True):
            st.markdown(f"**{ui.escape_markdown(r.name)}** · {ui.escape_markdown(r.session_title)}")
            st.markdown(ui.escape_markdown(r.note))
            wanted = [
                f"{label} {format_instant(t, tz)}"
                for label, t in (("in", r.requested_check_in), ("out", r.requested_check_out))
                if t
            ]
            st.caption("Asks for: " + ("; ".join(wanted) or "no specific times"))
            form = f"request_{r.id}"
            why = st.text_input("Reason for your decision", key=f"{form}_reason", max_chars=500)
            yes, no = st.columns(2)
            for column, approve, label in ((yes, True, "Approve"), (no, False, "Decline")):
                if column.button(label, key=f"{form}_{label.lower()}"):
                    decided = ui.submit(
                        form, corrections.correction_decide, actor_id=user.id, request_id=r.id,
                        approve=approve, reason=why, now=utc_now(),
                    )  # fmt: skip
                    if decided is not None:
                        ui.flash_rerun(f"Request of {r.name} {decided.status}.")
            ui.field_error(form, "reason")
            ui.form_error(form)

with tab_import:
    if not offering.sessions:
        st.info("This offering has no sessions.")
    else:
        live = st.selectbox(
            "Session", offering.sessions, format_func=lambda s: s.title, key="import_session"
        )
        zone_name = st.text_input("Time zone of the report's times", value=tz, key="import_zone")
        upload = st.file_uploader("Participant report (CSV)", type=["csv"], key="import_file")
        if upload is not None:
            report = upload.getvalue()
            preview = ui.query(
                platform_import.report_preview, user_id=user.id, live_session_id=live.id,
                data=report, time_zone=zone_name,
            )  # fmt: skip
            st.markdown(
                f"{preview.rows_total} rows · {len(preview.matched)} people matched · "
                f"{len(preview.unmatched)} not matched"
            )
            st.dataframe(
                [
                    {
                        "Email": p.email, "Name": p.name, "Rows": p.rows,
                        "Joined": format_instant(p.joined_at, tz),
                        "Left": format_instant(p.left_at, tz), "Minutes": p.minutes,
                        "Will": p.action,
                    }
                    for p in preview.people
                ],
                hide_index=True,
                key="import_preview",
            )  # fmt: skip
            for problem in preview.problems:
                st.warning(problem)
            why = st.text_input(
                "Reason (kept on record)", key="import_reason", value="Platform participant report"
            )
            if st.button("Import the matched people", key="import_confirm", type="primary"):
                done = ui.submit(
                    "import", platform_import.report_import, user_id=user.id,
                    live_session_id=live.id, data=report, file_name=upload.name,
                    time_zone=zone_name, reason=why, now=utc_now(),
                )  # fmt: skip
                if done is not None:
                    ui.flash_rerun(f"Imported evidence for {done.people_matched} people.")
            for field in ("reason", "file"):
                ui.field_error("import", field)
            ui.form_error("import")
