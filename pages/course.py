"""The course: objectives, modules with their materials, practices and the person's progress."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.courses.content import course_get
from portal.courses.markdown_text import markdown_without_html
from portal.learning import progress
from portal.materials import ui as ui_materials

user = require_role("participant")
choices = ui.query(progress.participant_courses, user_id=user.id)
if not choices:
    st.title("Course")
    st.info("The course opens once you are enrolled in an offering.")
    st.page_link(
        ui.menu_page(user.role, "enroll.py"), label="Enrollment and fees", icon=":material/school:"
    )
    ui.stop()
choice = (
    choices[0]
    if len(choices) == 1
    else st.selectbox("Offering", choices, format_func=lambda c: c.label, key="course_choice")
)
cfg = ui_materials.config()
outline = ui.query(
    progress.course_outline,
    user_id=user.id,
    enrollment_id=choice.enrollment_id,
    content_dir=cfg.content_dir,
    storage_dir=cfg.storage_dir,
)
course = course_get(cfg.content_dir, outline.course_slug)

st.title(course.title)
st.caption(
    f"{course.presenter.display_name} · {course.format} · {course.instructional_level} level"
)
if not outline.access_open:
    st.warning(
        f"Access to the materials of {outline.offering_label} ended on "
        f"{outline.access_until:%B} {outline.access_until.day}, {outline.access_until.year}."
    )
    ui.stop()
st.write(course.summary)
if outline.access_until:
    st.caption(
        f"Materials stay available until {outline.access_until:%B} "
        f"{outline.access_until.day}, {outline.access_until.year}."
    )
items = outline.items
ui_materials.progress_bar(sum(i.done for i in items), len(items), "Your course progress", "all")

with st.expander("Learning objectives", icon=":material/flag:"):
    st.write("By the end of this workshop you will be able to:")
    st.markdown(
        "\n".join(f"{i}. {ui.escape_markdown(o)}" for i, o in enumerate(course.objectives, 1))
    )

st.subheader("Modules")
for section in outline.modules:
    label = f"{section.title} · {section.done}/{len(section.items)}"
    with st.expander(label, icon=":material/menu_book:"):
        if section.objective:
            st.caption(f"Objective: {section.objective}")
        ui_materials.progress_bar(section.done, len(section.items), "Module", section.key)
        if section.body:
            st.markdown(markdown_without_html(section.body))
            ui_materials.done_checkbox(section.items[0], user.id, outline.enrollment_id)
        for item in section.items:
            if item.material is None:
                continue
            st.divider()
            ui_materials.material_show(item.material, section.key)
            ui_materials.done_checkbox(item, user.id, outline.enrollment_id)

st.subheader("Guided practices")
for section in outline.practices:
    with st.container(border=True):
        st.markdown(
            f"**{ui.escape_markdown(section.title)}** · about {section.minutes} minutes"
            f" · {section.done}/{len(section.items)} complete"
        )
        if st.button("Open the practice", key=f"open_{section.key}", icon=":material/spa:"):
            st.session_state["practice_choice"] = section.key
            st.switch_page("pages/practice.py")

with st.expander("About the presenter", icon=":material/person:"):
    st.markdown(f"**{course.presenter.display_name}**")
    st.write(course.presenter.bio)
