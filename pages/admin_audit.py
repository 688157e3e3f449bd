"""Audit log: who did what, when and why; filter and export as CSV."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.courses import offerings as offerings_admin
from portal.records import audit_log
from portal.timefmt import format_instant

require_role("admin")
st.title("Audit log")
actions = ui.query(audit_log.audit_actions)
offerings = ui.query(offerings_admin.offering_choices)
c1, c2, c3 = st.columns(3)
action = c1.selectbox(
    "Action", ["", *actions], key="audit_action", format_func=lambda a: a or "any"
)
actor = c2.text_input("By (username)", key="audit_actor")
offering = c3.selectbox(
    "Offering",
    [None, *offerings],
    key="audit_offering",
    format_func=lambda o: o.label if o else "any",
)
d1, d2 = st.columns(2)
since = d1.date_input("From (UTC day)", value=None, key="audit_since")
until = d2.date_input("Until (UTC day)", value=None, key="audit_until")
rows = ui.query(
    audit_log.audit_search,
    action=action or None,
    actor=actor,
    offering_id=offering.id if offering else None,
    since=since,
    until=until,
)
st.caption(f"{len(rows)} event(s), newest first. The log is append-only.")
st.dataframe(
    [
        {
            "When": format_instant(r.at, "UTC"),
            "By": r.actor,
            "Action": r.action,
            "Subject": f"{r.subject_type} {r.subject_id or ''}".strip(),
            "Reason": r.reason,
            "Details": r.details,
        }
        for r in rows
    ],
    hide_index=True,
    width="stretch",
)
st.download_button(
    "Export CSV",
    audit_log.audit_csv(rows),
    file_name="audit-log.csv",
    mime="text/csv",
    key="audit_export",
    icon=":material/download:",
)
