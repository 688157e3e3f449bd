"""Admins restore deleted materials."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.materials import queries as materials_queries
from portal.materials import services as materials
from portal.timefmt import format_instant

user = require_role("admin")
ui.show_flash()
st.title("Deleted materials")
st.caption("Deleted materials keep their files. A restored material comes back unpublished.")
deleted = ui.query(materials_queries.materials_deleted, user_id=user.id)
ui.form_error("restore")
if not deleted:
    st.info("No deleted materials.")
for item in deleted:
    with st.container(border=True):
        st.markdown(f"**{ui.escape_markdown(item.title)}** ({item.kind})")
        st.caption(
            f"{item.course_title} · {item.offering_label} · deleted "
            f"{format_instant(item.deleted_at, 'UTC')} by {item.deleted_by or 'unknown'}"
        )
        if st.button("Restore", key=f"restore_{item.id}", icon=":material/restore_from_trash:"):
            restored = ui.submit(
                "restore", materials.material_restore, actor_id=user.id, material_id=item.id
            )
            if restored is not None:
                ui.flash_rerun(f"Restored “{item.title}” (unpublished).")
