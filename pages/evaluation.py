"""The participant's evaluation of the workshop: saved as a draft while they go, then submitted."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.evaluation.form import answer_display
from portal.evaluation.participant import evaluation_forms_for
from portal.evaluation.services import evaluation_draft_save, evaluation_submit
from portal.evaluation.ui import evaluation_widgets
from portal.timefmt import format_instant

FORM = "evaluation"

user = require_role("participant")
ui.show_flash()
st.title("Course evaluation")
forms = ui.query(evaluation_forms_for, user_id=user.id)
if not forms:
    st.info("You have no evaluation to fill in.")
    ui.stop()
# Opens on an evaluation that can be answered now, rather than one still waiting.
chosen = next((i for i, f in enumerate(forms) if f.state.can_answer), 0)
if len(forms) > 1:
    chosen = st.selectbox(
        "Offering",
        range(len(forms)),
        index=chosen,
        format_func=lambda i: f"{forms[i].course_title} — {forms[i].offering_label}",
        key="evaluation_offering",
    )
form = forms[chosen]
state = form.state
st.caption(f"{form.course_title} · {form.offering_label}")


if state.state == "submitted":
    st.success(state.message)
    for question in form.questions:
        st.markdown(f"**{ui.escape_markdown(question.text)}**")
        st.text(answer_display(question, form.answers.get(question.id)) or "—")
    ui.stop()
if not state.can_answer:
    (st.info if state.state == "waiting" else st.warning)(state.message)
    ui.stop()

st.info(state.message)
st.write("Your answers are saved as a draft as you go; you can come back later, on any device.")
st.caption(form.privacy_note)
answers = evaluation_widgets(form, FORM)
saved_at = state.saved_at
if answers.changed:
    saved_at = ui.submit(
        FORM,
        evaluation_draft_save,
        user_id=user.id,
        enrollment_id=state.enrollment_id,
        answers=answers.values,
        cleared=answers.cleared,
    )
if saved_at is not None:
    st.caption(f"Draft saved {format_instant(saved_at, form.time_zone)}.")
ui.form_error(FORM)
if ui.form_has_errors(FORM):
    st.error("Some answers need attention; see the messages beside the questions.")
if st.button("Submit evaluation", type="primary", key="evaluation_submit"):
    done = ui.submit(
        FORM,
        evaluation_submit,
        user_id=user.id,
        enrollment_id=state.enrollment_id,
        answers=answers.values,
    )
    if done is not None:
        ui.flash("Thank you — your evaluation was submitted.")
    st.rerun()
