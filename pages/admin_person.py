"""One person's whole record: account, enrollments and fees, attendance, evaluations,
certificates and audit events (sections come from portal.records.bundle.PERSON_SECTIONS)."""

import streamlit as st

from portal import ui
from portal.accounts import people
from portal.accounts.ui import require_role
from portal.records import bundle as records

admin = require_role("admin")
st.title("Person record")
found = ui.query(people.people_search)
if not found:
    st.info("No people yet.")
    ui.stop()
wanted = st.query_params.get("user", "")
ids = [p.id for p in found]
index = ids.index(int(wanted)) if wanted.isdigit() and int(wanted) in ids else 0
person = st.selectbox(
    "Person",
    found,
    index=index,
    key="person_choice",
    format_func=lambda p: f"{p.full_name} ({p.username}, {p.email})",
)
for section in ui.query(records.person_record, actor_id=admin.id, user_id=person.id):
    st.subheader(section.title)
    if section.note:
        st.caption(section.note)
    if section.rows:
        st.dataframe(list(section.rows), hide_index=True, width="stretch")
    else:
        st.caption("Nothing recorded.")
