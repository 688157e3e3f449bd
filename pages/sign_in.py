"""Sign in (and, in demo mode, the demo accounts)."""

import streamlit as st

from portal import ui
from portal.accounts.ui import current_user, sign_in_form
from portal.demo import DEMO_ACCOUNTS

st.title("CE participant portal", anchor=False)  # no "link to heading" stop before the form
st.write("Workshop materials, attendance, evaluations and certificates in one place.")
if current_user() is not None:
    st.markdown("You are signed in. [Open your home page](/)")
    ui.stop()

left, right = st.columns([3, 2], gap="large")
with left:
    sign_in_form()
    st.page_link(
        "pages/register.py", label="New here? Create an account", icon=":material/person_add:"
    )
with right:
    if ui.settings().is_demo:
        with st.container(border=True):
            st.subheader("Demo data", anchor=False)
            st.write(
                "This portal runs in demo mode. Try it with these accounts; each password is the username."
            )
            st.table(
                {"Username": [a[0] for a in DEMO_ACCOUNTS], "Role": [a[1] for a in DEMO_ACCOUNTS]}
            )
