"""Profile: the name printed on certificates, licenses and password."""

import streamlit as st

from portal import ui
from portal.accounts import services as accounts
from portal.accounts.professions import PROFESSIONS, US_STATES
from portal.accounts.profile import profile_get
from portal.accounts.ui import require_role, sign_in_as, sign_in_policy

user = require_role("participant", "instructor", "admin")
ui.show_flash()
profile = ui.query(profile_get, user_id=user.id)
st.title("Your profile")

st.subheader("Name and email")
with st.form("profile"):
    full_name = st.text_input(
        "Full name as it must appear on your certificate",
        value=profile.full_name,
        key="profile_full_name",
    )
    ui.field_error("profile", "full_name")
    email = st.text_input("Email", value=profile.email, key="profile_email")
    ui.field_error("profile", "email")
    if st.form_submit_button("Save name and email"):
        ui.submit(
            "profile", accounts.profile_update, user_id=user.id, full_name=full_name, email=email
        )
        if not ui.form_has_errors("profile"):
            ui.flash("Saved.")
        st.rerun()
st.caption(
    "Already issued certificates keep the name they were issued with; ask the CE office for a reissue."
)

st.subheader("Licenses")
if profile.licenses:
    st.dataframe(
        [
            {"Profession": lic.profession_label, "License number": lic.number, "State": lic.state}
            for lic in profile.licenses
        ],
        hide_index=True,
    )
with st.form("license"):
    st.markdown("**Add or update a license**")
    profession = st.selectbox(
        "Profession",
        list(PROFESSIONS),
        format_func=PROFESSIONS.get,
        index=None,
        placeholder="Choose a profession",
        key="license_profession",
    )
    ui.field_error("license", "profession")
    number = st.text_input("License number", key="license_number")
    ui.field_error("license", "license_number")
    state = st.selectbox(
        "Issuing state", US_STATES, index=None, placeholder="Choose a state", key="license_state"
    )
    ui.field_error("license", "license_state")
    if st.form_submit_button("Save license"):
        ui.submit(
            "license",
            accounts.license_save,
            user_id=user.id,
            license=accounts.LicenseInput(profession or "", number, state or ""),
        )
        if not ui.form_has_errors("license"):
            ui.flash("License saved.")
        st.rerun()
if len(profile.licenses) > 1:
    with st.form("license_remove"):
        chosen = st.selectbox(
            "Remove a license",
            profile.licenses,
            format_func=lambda lic: f"{lic.profession_label} {lic.number}".strip(),
            key="license_remove_choice",
        )
        ui.form_error("license_remove")
        ui.field_error("license_remove", "license")
        if st.form_submit_button("Remove license"):
            ui.submit(
                "license_remove", accounts.license_remove, user_id=user.id, license_id=chosen.id
            )
            if not ui.form_has_errors("license_remove"):
                ui.flash("License removed.")
            st.rerun()

st.subheader("Password")
with st.form("password", clear_on_submit=True):
    current = st.text_input("Current password", type="password", key="password_current")
    ui.field_error("password", "current_password")
    new = st.text_input(
        "New password", type="password", key="password_new", help="At least 10 characters."
    )
    ui.field_error("password", "new_password")
    repeat = st.text_input("Repeat new password", type="password", key="password_repeat")
    ui.field_error("password", "repeat_password")
    if st.form_submit_button("Change password"):
        ui.submit(
            "password",
            accounts.password_change,
            user_id=user.id,
            current=current,
            new=new,
            repeat=repeat,
            client=ui.client_address(),
            policy=sign_in_policy(),
        )
        if not ui.form_has_errors("password"):
            sign_in_as(user.id, user.username)
            ui.flash("Password changed. Other devices are signed out.")
        st.rerun()
