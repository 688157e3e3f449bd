"""The participant's evaluation of the workshop: saved as a draft while they go, then submitted."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.evaluation.form import AGREEMENT, answer_display, answers_differ, scale_max
from portal.evaluation.participant import evaluation_forms_for
from portal.evaluation.services import evaluation_draft_save, evaluation_submit
from portal.timefmt import format_instant

FORM = "evaluation"

user = require_role("participant")
ui.show_flash()
st.title("Course evaluation")
forms = ui.query(evaluation_forms_for, user_id=user.id)
if not forms:
    st.info("You have no evaluation to fill in.")
    st.stop()
chosen = 0
if len(forms) > 1:
    chosen = st.selectbox(
        "Offering",
        range(len(forms)),
        format_func=lambda i: f"{forms[i].course_title} — {forms[i].offering_label}",
        key="evaluation_offering",
    )
form = forms[chosen]
state = form.state
st.caption(f"{form.course_title} · {form.offering_label}")


def question_widget(question, key):
    """One input for a question; its value is the answer as the services take it."""
    label = question.text + ("" if question.required else " (optional)")
    kind, common = question.type, {"key": key, "help": question.help or None}
    if kind == "agreement":
        return st.radio(
            label,
            [1, 2, 3, 4, 5],
            format_func=lambda v: AGREEMENT[v - 1],
            index=None,
            horizontal=True,
            **common,
        )
    if kind == "rating":
        return st.radio(
            label, list(range(1, scale_max(question) + 1)), index=None, horizontal=True, **common
        )
    if kind == "yes_no":
        return st.radio(
            label, ["yes", "no"], format_func=str.capitalize, index=None, horizontal=True, **common
        )
    if kind == "single_choice":
        return st.radio(label, list(question.options), index=None, **common)
    if kind == "multiple_choice":
        return st.multiselect(label, list(question.options), placeholder="Choose any", **common)
    return st.text_area(label, max_chars=form.free_text_max, **common)


if state.state == "submitted":
    st.success(state.message)
    for question in form.questions:
        st.markdown(f"**{ui.escape_markdown(question.text)}**")
        st.text(answer_display(question, form.answers.get(question.id)) or "—")
    st.stop()
if not state.can_answer:
    (st.info if state.state == "waiting" else st.warning)(state.message)
    st.stop()

st.info(state.message)
st.write("Your answers are saved as a draft as you go; you can come back later, on any device.")
answers = {}
for question in form.questions:
    key = f"evaluation_{state.enrollment_id}_{question.id}"
    if key not in st.session_state and form.answers.get(question.id) not in (None, []):
        st.session_state[key] = form.answers[question.id]
    answers[question.id] = question_widget(question, key)
    ui.field_error(FORM, question.id)

saved_at = state.saved_at
if answers_differ(answers, form.answers):
    saved_at = ui.submit(
        FORM,
        evaluation_draft_save,
        user_id=user.id,
        enrollment_id=state.enrollment_id,
        answers=answers,
    )
if saved_at is not None:
    st.caption(f"Draft saved {format_instant(saved_at, form.time_zone)}.")
ui.form_error(FORM)
if ui.form_has_errors(FORM):
    st.error("Some answers need attention; see the messages beside the questions.")
if st.button("Submit evaluation", type="primary", key="evaluation_submit"):
    done = ui.submit(
        FORM, evaluation_submit, user_id=user.id, enrollment_id=state.enrollment_id, answers=answers
    )
    if done is not None:
        ui.flash("Thank you — your evaluation was submitted.")
    st.rerun()
