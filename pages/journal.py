"""The gratitude and appreciation practice with the participant's private journal."""

from datetime import datetime

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.courses.markdown_text import markdown_without_html
from portal.learning import journal, progress
from portal.materials import ui as ui_materials
from portal.timefmt import zone

user = require_role("participant")
ui.show_flash()
st.title("Gratitude and appreciation journal")
st.info(
    "Your journal is private. Only you can read your entries: other participants, "
    "instructors and the CE office (admins) cannot see them, and they are not part of "
    "your credit.",
    icon=":material/lock:",
)
today = datetime.now(zone(st.context.timezone)).date()

cfg = ui_materials.config()
choices = ui.query(progress.participant_courses, user_id=user.id)
instructions = None
if choices:
    outline = ui.query(
        progress.course_outline,
        user_id=user.id,
        enrollment_id=choices[0].enrollment_id,
        content_dir=cfg.content_dir,
        storage_dir=cfg.storage_dir,
    )
    instructions = next((p for p in outline.practices if p.kind == "gratitude"), None)
if instructions is not None:
    with st.expander(f"How to practise: {instructions.title}", icon=":material/spa:"):
        st.markdown(markdown_without_html(instructions.body.partition("## Script")[0]))

days = ui.query(journal.journal_days, user_id=user.id)
st.metric("Days practised", days)

if st.session_state.pop("journal_saved", False):
    # Assigned, not removed: the browser keeps a removed widget's text and sends it back.
    for field in ("journal_partner", "journal_self", "journal_note"):
        st.session_state[field] = ""
with st.form("journal_form"):
    entry_date = st.date_input("Date", value=today, max_value=today, key="journal_date")
    ui.field_error("journal", "entry_date")
    partner = st.text_area("What I appreciated in my partner", key="journal_partner")
    ui.field_error("journal", "partner_text")
    myself = st.text_area("What I appreciated in myself", key="journal_self")
    ui.field_error("journal", "self_text")
    note = st.text_area("Note (optional)", key="journal_note")
    ui.field_error("journal", "note")
    saved = st.form_submit_button("Save entry", icon=":material/save:")
ui.form_error("journal")
if saved:
    result = ui.submit(
        "journal", journal.journal_entry_save, user_id=user.id, entry_date=entry_date,
        partner_text=partner, self_text=myself, note=note, today=today,
    )  # fmt: skip
    if result is not None:
        ui.flash(f"Saved your entry for {result.entry_date:%B} {result.entry_date.day}.")
        st.session_state["journal_saved"] = True
    st.rerun()  # shows the messages beside the fields, or the saved entry

entries = ui.query(journal.journal_entries, user_id=user.id)
if not entries:
    st.caption("No entries yet. Saving the same date again updates that day's entry.")
    ui.stop()
csv_col, md_col = st.columns(2)
csv_col.download_button(
    "Export my entries (CSV)",
    journal.journal_csv(entries),
    file_name="my-appreciation-journal.csv",
    mime="text/csv",
    key="journal_csv",
    icon=":material/download:",
)
md_col.download_button(
    "Export my entries (Markdown)",
    journal.journal_markdown(entries),
    file_name="my-appreciation-journal.md",
    mime="text/markdown",
    key="journal_md",
    icon=":material/download:",
)
for entry in entries:
    with st.container(border=True):
        st.markdown(
            f"**{entry.entry_date:%A, %B} {entry.entry_date.day}, {entry.entry_date.year}**"
        )
        st.markdown(f"*In my partner:* {ui.escape_markdown(entry.partner_text)}")
        st.markdown(f"*In myself:* {ui.escape_markdown(entry.self_text)}")
        if entry.note:
            st.caption(ui.escape_markdown(entry.note))
        if st.button("Delete", key=f"journal_delete_{entry.id}", icon=":material/delete:"):
            ui.submit(
                "journal_delete", journal.journal_entry_delete, user_id=user.id, entry_id=entry.id
            )
            st.rerun()
