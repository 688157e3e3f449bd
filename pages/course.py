"""The course: objectives, modules and guided practices from content/."""

import streamlit as st

from portal import home, ui
from portal.content import course_get
from portal.ui_auth import require_role

user = require_role("participant")
slugs = ui.query(home.participant_course_slugs, user_id=user.id)
if not slugs:
    st.info("The course opens once you are enrolled in an offering.")
    st.stop()
slug = slugs[0] if len(slugs) == 1 else st.selectbox("Course", slugs, key="course_choice")
course = course_get(ui.settings().content_dir, slug)

st.title(course.title)
st.caption(
    f"{course.presenter.display_name} · {course.format} · {course.instructional_level} level"
)
st.write(course.summary)

st.subheader("Learning objectives")
st.write("By the end of this workshop you will be able to:")
st.markdown("\n".join(f"{i}. {ui.escape_markdown(o)}" for i, o in enumerate(course.objectives, 1)))

st.subheader("Modules")
for number, module in enumerate(course.modules, 1):
    with st.expander(f"Module {number}: {module.title}", icon=":material/menu_book:"):
        st.caption(f"Objective {module.objective}: {course.objectives[module.objective - 1]}")
        st.markdown(module.body)

st.subheader("Guided practices")
for practice in course.practices:
    with st.expander(
        f"{practice.title} · about {practice.minutes} minutes", icon=":material/self_improvement:"
    ):
        st.markdown(practice.body)

with st.expander("About the presenter", icon=":material/person:"):
    st.markdown(f"**{course.presenter.display_name}**")
    st.write(course.presenter.bio)
