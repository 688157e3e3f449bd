"""Guided practices: the script, the instructor's recording and a timed guided mode."""

import time

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.courses.markdown_text import markdown_without_html
from portal.learning import progress
from portal.learning.practice_timer import (
    TimerState,
    clock,
    step_at,
    timer_elapsed,
    timer_pause,
    timer_reset,
    timer_start,
)
from portal.materials import ui as ui_materials

user = require_role("participant")
st.title("Guided practices")
choices = ui.query(progress.participant_courses, user_id=user.id)
if not choices:
    st.info("The practices open once you are enrolled in an offering.")
    ui.stop()
choice = (
    choices[0]
    if len(choices) == 1
    else st.selectbox("Offering", choices, format_func=lambda c: c.label, key="practice_offering")
)
cfg = ui_materials.config()
outline = ui.query(
    progress.course_outline,
    user_id=user.id,
    enrollment_id=choice.enrollment_id,
    content_dir=cfg.content_dir,
    storage_dir=cfg.storage_dir,
)
if not outline.access_open:
    st.warning(f"Access to the materials of {outline.offering_label} has ended.")
    ui.stop()
practices = {p.key: p for p in outline.practices}
if not practices:
    st.info("This course has no guided practices.")
    ui.stop()
keys = list(practices)
wanted = st.session_state.pop("practice_choice", None)
if wanted in practices:
    st.session_state["practice_pick"] = wanted
key = st.selectbox("Practice", keys, format_func=lambda k: practices[k].title, key="practice_pick")
practice = practices[key]
st.subheader(practice.title)
st.caption(f"About {practice.minutes} minutes")
for item in practice.items:
    if item.material is None:
        ui_materials.done_checkbox(item, user.id, outline.enrollment_id)

if practice.kind == "gratitude":
    st.page_link(
        "pages/journal.py",
        label="Open my private appreciation journal",
        icon=":material/edit_note:",
    )
recordings = [m for m in practice.materials if m.kind in ("audio", "video")]
if recordings:
    st.markdown("**The instructor's recording**")
    for material in recordings:
        ui_materials.material_show(material, key)
others = [m for m in practice.materials if m.kind not in ("audio", "video")]
for material in others:
    ui_materials.material_show(material, key)

timer_key = f"timer_{key}"


def timer_change(change) -> None:  # type: ignore[no-untyped-def]
    """Button callback: apply start, pause or reset before the page runs again."""
    current = st.session_state.get(timer_key, timer_reset())
    st.session_state[timer_key] = change(current, time.time())


state: TimerState = st.session_state.get(timer_key, timer_reset())
if practice.steps:
    st.markdown("**Guided mode** — follow the script step by step, with or without a recording.")
    start, pause, reset = st.columns(3)
    start.button(
        "Resume" if state.banked and not state.running else "Start",
        key=f"start_{key}", icon=":material/play_arrow:", disabled=state.running,
        on_click=timer_change, args=(timer_start,),
    )  # fmt: skip
    pause.button(
        "Pause", key=f"pause_{key}", icon=":material/pause:", disabled=not state.running,
        on_click=timer_change, args=(timer_pause,),
    )  # fmt: skip
    reset.button(
        "Start over", key=f"reset_{key}", icon=":material/replay:",
        on_click=timer_change, args=(lambda _state, _now: timer_reset(),),
    )  # fmt: skip

    @st.fragment(run_every=1 if state.running else None)
    def guided() -> None:
        """The current step and the time, refreshed every second while running."""
        current: TimerState = st.session_state.get(timer_key, timer_reset())
        elapsed = timer_elapsed(current, time.time())
        position = step_at(practice.steps, elapsed)
        st.progress(
            min(1.0, elapsed / position.total_seconds),
            text=f"Time elapsed {clock(elapsed)} of {clock(position.total_seconds)}",
        )
        if position.finished:
            st.success("The practice is complete. Take a moment before you move on.")
            return
        step = practice.steps[position.index]
        st.markdown(
            f"**Step {position.index + 1} of {len(practice.steps)}** · {clock(position.step_remaining)} left in this step"
        )
        with st.container(border=True):
            st.markdown(ui.escape_markdown(step.text))

    guided()

with st.expander("The full script and notes", icon=":material/description:"):
    st.markdown(markdown_without_html(practice.body))
