"""Records: the per-offering audit bundle for accrediting bodies, and retention."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.courses import offerings as offerings_admin
from portal.records import bundle as records
from portal.records import purge

admin = require_role("admin")
st.title("Records")
settings = ui.settings()
st.subheader("Audit bundle")
choices = ui.query(offerings_admin.offering_choices)
if choices:
    offering = st.selectbox(
        "Offering", choices, key="records_offering", format_func=lambda c: c.label
    )
    if st.button("Prepare the ZIP bundle", key="records_prepare"):
        data = ui.submit(
            "bundle", records.records_bundle, actor_id=admin.id, offering_id=offering.id
        )
        st.session_state["records_bundle"] = (offering.id, data)
    ui.form_error("bundle")
    ready = st.session_state.get("records_bundle")
    if ready and ready[0] == offering.id and ready[1]:
        st.download_button(
            "Download the bundle",
            ready[1],
            file_name=f"records-offering-{offering.id}.zip",
            mime="application/zip",
            key="records_download",
            icon=":material/download:",
        )
    st.caption(
        "Roster with license numbers, the course as delivered, payments and refunds, audit "
        "events, and the parts other modules add (attendance, evaluation summary, certificates)."
    )

st.subheader("Retention")
rows = ui.query(purge.retention_list, content_dir=settings.content_dir)
st.dataframe(
    [
        {
            "Course": r.course_title,
            "Offering": r.label,
            "Last session": r.last_session,
            "Keep (years)": r.retention_years,
            "Purge after": r.purge_after,
            "Due": r.due,
            "Purged": f"{r.purged_at:%Y-%m-%d}" if r.purged_at else "",
        }
        for r in rows
    ],
    hide_index=True,
    width="stretch",
)
report = ui.query(purge.purge_preview, actor_id=admin.id, content_dir=settings.content_dir)
for _offering_id, label, counts in report.offerings:
    st.warning(f"Past retention: {label} — " + ", ".join(f"{t} {n}" for t, n in counts.items()))
# Markdown, not a caption: commands in a caption's faded colour lose their contrast.
st.markdown(
    "Retention years come from the course file (record_retention_years, at least 4). "
    "Purging runs on the server: `portal records purge` (dry run), then "
    "`portal records purge --apply`."
)
