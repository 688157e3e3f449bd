"""Create a participant account."""

import streamlit as st

from portal import ui
from portal.accounts import people
from portal.accounts import services as accounts
from portal.accounts.professions import LICENSED, PROFESSIONS, US_STATES
from portal.accounts.ui import current_user, sign_in_as

FORM = "register"

st.title("Create your account")
if current_user() is not None:
    st.info("You are already signed in.")
    ui.stop()
st.write("Your name is printed on your certificates exactly as you enter it here.")

with st.form(FORM):
    full_name = st.text_input(
        "Full name as it must appear on your certificate", key="register_full_name"
    )
    ui.field_error(FORM, "full_name")
    email = st.text_input("Email", key="register_email")
    ui.field_error(FORM, "email")
    username = st.text_input(
        "Username",
        key="register_username",
        help="3–64 letters, digits, dots, dashes or underscores",
    )
    ui.field_error(FORM, "username")
    password = st.text_input(
        "Password",
        type="password",
        key="register_password",
        help="At least 10 characters; spaces are allowed.",
    )
    ui.field_error(FORM, "password")
    repeat = st.text_input("Repeat password", type="password", key="register_password_repeat")
    ui.field_error(FORM, "password_repeat")
    profession = st.selectbox(
        "Profession",
        list(PROFESSIONS),
        format_func=PROFESSIONS.get,
        index=None,
        placeholder="Choose your profession",
        key="register_profession",
    )
    ui.field_error(FORM, "profession")
    st.caption(
        f"Licensed professions ({', '.join(sorted(p.upper() for p in LICENSED if p != 'psychologist'))}, psychologist) need a license number and issuing state."
    )
    number = st.text_input("License number", key="register_license_number")
    ui.field_error(FORM, "license_number")
    state = st.selectbox(
        "Issuing state",
        US_STATES,
        index=None,
        placeholder="Choose a state",
        key="register_license_state",
    )
    ui.field_error(FORM, "license_state")
    ui.form_error(FORM)
    submitted = st.form_submit_button("Create account", type="primary")

if submitted:
    form = accounts.Registration(
        full_name,
        email,
        username,
        password,
        repeat,
        accounts.LicenseInput(profession or "", number, state or ""),
    )
    user = ui.submit(
        FORM,
        people.user_register_with_confirmation,
        form=form,
        client=ui.client_address(),
        per_hour=ui.settings().registrations_per_hour,
    )
    if user is not None:
        sign_in_as(user.id, user.username)
        ui.flash("Welcome! Your account is ready.")
    st.rerun()
