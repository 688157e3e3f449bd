"""Choose a password through a one-time link (invitation or reset); works signed out."""

import streamlit as st

from portal import ui
from portal.accounts import tokens

FORM = "set_password"

st.title("Choose your password")
ui.show_flash()
token = st.query_params.get("token", "")
view = ui.query(tokens.token_check, token=token) if token else None
if view is None:
    if not st.session_state.get("_password_set"):
        st.error(tokens.INVALID_LINK)
    # A plain link to the front page: the entry script is no page of the menu, so
    # st.page_link to it fails, and the sign-in page is in the menu only when signed out.
    st.markdown(":material/login: [Go to sign in](/)")
    ui.stop()

st.write(f"Account: **{ui.escape_markdown(view.username)}** ({ui.escape_markdown(view.full_name)})")
with st.form(FORM, clear_on_submit=True):
    password = st.text_input(
        "New password", type="password", key="set_password_new", help="At least 10 characters."
    )
    ui.field_error(FORM, "password")
    repeat = st.text_input("Repeat new password", type="password", key="set_password_repeat")
    ui.field_error(FORM, "repeat")
    ui.form_error(FORM)
    submitted = st.form_submit_button("Set password", type="primary")
if submitted:
    done = ui.submit(
        FORM, tokens.password_set_with_token, token=token, password=password, repeat=repeat
    )
    if done is not None:
        st.query_params.clear()
        st.session_state["_password_set"] = True
        ui.flash("Your password is set. Sign in with your username and the new password.")
    st.rerun()
