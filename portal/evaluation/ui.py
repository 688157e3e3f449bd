"""The evaluation form's widgets, loaded with the saved draft whatever the timing of reruns.

Streamlit ignores a widget's default once its key is in st.session_state, so the draft is
put into the keys themselves. A rerun that arrives while the page loads (the re-login
cookie's writer asks for one after a sign-in) can leave keys registered empty before the
draft reached them, or the browser drawing a widget from the cut-short run without its
value. So the load counts as done only when a run has placed every answer, every run sends
the answers it knows to the browser again (never an empty one, which may be older than the
person's latest click), and a run that did not start from a finished load never saves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from portal import ui
from portal.courses.content_evaluation import Question
from portal.evaluation.form import AGREEMENT, Answer, answers_differ, is_empty, scale_max
from portal.evaluation.participant import EvaluationForm

_RADIO_TYPES = ("agreement", "rating", "yes_no", "single_choice")


@dataclass(frozen=True)
class FormAnswers:
    """The answers in the widgets, whether they need saving, and which ones the person emptied."""

    values: dict[str, Answer]
    changed: bool
    cleared: tuple[str, ...]


def question_widget(question: Question, key: str, free_text_max: int) -> Answer:
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
    return st.text_area(label, max_chars=free_text_max, **common)


def _widget_value(question: Question, answer: Answer) -> Any:
    """A stored answer as its widget holds it (empty: what the widget starts with)."""
    if not is_empty(answer):
        return answer
    return [] if question.type == "multiple_choice" else None


def _load(form: EvaluationForm, keys: dict[str, str], loaded_key: str) -> bool:
    """Put the draft into the widgets' keys unless a finished load already did; returns
    whether the widgets start this run from a finished load."""
    state = st.session_state
    if state.get(loaded_key) and all(key in state for key in keys.values()):
        for question in form.questions:
            key, saved = keys[question.id], form.answers.get(question.id)
            value = state[key]
            # A radio cannot be emptied by hand: empty over a saved answer is a stale start.
            if question.type in _RADIO_TYPES and value is None and saved is not None:
                value = saved
            # Assigned on every run, an answer goes to the browser with every run's widgets:
            # a widget the browser drew from a run cut short would otherwise stay empty. An
            # empty one is not sent: this run may have started before the person's latest
            # click, which it would undo in the browser.
            if not is_empty(value):
                state[key] = value
        return True
    for question in form.questions:
        state[keys[question.id]] = _widget_value(question, form.answers.get(question.id))
    state[loaded_key] = False
    return False


def evaluation_widgets(form: EvaluationForm, form_key: str) -> FormAnswers:
    """Draw the questions with the saved draft in them; report what the person changed."""
    enrollment_id = form.state.enrollment_id
    keys = {q.id: f"evaluation_{enrollment_id}_{q.id}" for q in form.questions}
    loaded_key, shown_key = (
        f"evaluation_loaded_{enrollment_id}",
        f"evaluation_shown_{enrollment_id}",
    )
    loaded = _load(form, keys, loaded_key)
    values = {}
    for question in form.questions:
        values[question.id] = question_widget(question, keys[question.id], form.free_text_max)
        ui.field_error(form_key, question.id)
    shown = st.session_state.get(shown_key, {})
    cleared = tuple(
        q for q, value in values.items() if is_empty(value) and not is_empty(shown.get(q))
    )
    st.session_state[shown_key] = values
    st.session_state[loaded_key] = True  # every widget now holds its draft answer
    changed = loaded and answers_differ(values, form.answers)
    return FormAnswers(values, changed, cleared if loaded else ())
