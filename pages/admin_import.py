"""Roster import from a registration system: preview, then import all rows or none."""

from datetime import timedelta

import streamlit as st

from portal import ui
from portal.accounts.professions import US_STATES
from portal.accounts.ui import require_role
from portal.enrollment import roster_import

admin = require_role("admin")
ui.show_flash()
st.title("Roster import")
st.write(
    "A CSV file with the columns **name, email, profession, license, offering** "
    "(and optionally **state**). The offering is its slug or label. New people receive an "
    "invitation with a one-time link to choose their password."
)
upload = st.file_uploader("CSV file", type=["csv"], key="import_file")
default_state = st.selectbox(
    "License state when the file has none",
    US_STATES,
    index=US_STATES.index("CA"),
    key="import_state",
)
if upload is None:
    ui.stop()
data = upload.getvalue()
preview = ui.query(roster_import.roster_preview, data=data, default_state=default_state)
if preview.problems:
    st.error(f"{len(preview.problems)} line(s) have problems. Fix the file; nothing is imported.")
    st.dataframe(
        [{"Line": p.line, "Problem": p.message} for p in preview.problems], hide_index=True
    )
st.subheader(f"Preview: {len(preview.rows)} valid row(s)")
st.dataframe(
    [
        {
            "Line": r.line,
            "Name": r.name,
            "Email": r.email,
            "Profession": r.profession,
            "License": f"{r.license} {r.state}".strip(),
            "Offering": r.offering_label,
            "Account": r.account,
            "Enrollment": r.enrollment,
        }
        for r in preview.rows
    ],
    hide_index=True,
    width="stretch",
)
settings = ui.settings()
if st.button("Import all rows", key="import_go", type="primary", disabled=bool(preview.problems)):
    done = ui.submit(
        "import",
        roster_import.roster_import,
        actor_id=admin.id,
        data=data,
        base_url=settings.public_base_url,
        default_state=default_state,
        invite_valid_for=timedelta(days=settings.invite_link_days),
    )
    if done is not None:
        ui.flash(f"Imported {len(done.rows)} row(s); invitations are in the outbox.")
    st.rerun()
ui.form_error("import")
ui.field_error("import", "file")
