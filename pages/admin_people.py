"""People: add (with an invitation), search, change role, deactivate or reactivate, send a
password-reset link."""

from datetime import timedelta

import streamlit as st

from portal import ui
from portal.accounts import people
from portal.accounts.ui import require_role
from portal.models import ROLES

admin = require_role("admin")
ui.show_flash()
st.title("People")
settings = ui.settings()
with st.expander("Add a person", expanded=ui.form_has_errors("person_add")), st.form("person_add"):
    st.caption(
        "They get an email with a one-time link to choose their password "
        f"(valid {settings.invite_link_days} days)."
    )
    new_name = st.text_input("Full name as printed on certificates", key="person_add_name")
    ui.field_error("person_add", "full_name")
    new_email = st.text_input("Email", key="person_add_email")
    ui.field_error("person_add", "email")
    new_username = st.text_input("Username", key="person_add_username")
    ui.field_error("person_add", "username")
    new_role = st.selectbox("Role", ROLES, key="person_add_role")
    ui.field_error("person_add", "role")
    ui.form_error("person_add")
    if st.form_submit_button("Add and send the invitation"):
        created = ui.submit(
            "person_add",
            people.person_create_invited,
            actor_id=admin.id,
            username=new_username,
            email=new_email,
            full_name=new_name,
            role=new_role,
            base_url=settings.public_base_url,
            valid_for=timedelta(days=settings.invite_link_days),
        )
        if created is not None:
            ui.flash(f"{new_name} was added as {new_role}; the invitation is on its way.")
        st.rerun()
left, right = st.columns([3, 1])
text = left.text_input("Search name, username, email or license number", key="people_search")
role = right.selectbox("Role", ["", *ROLES], key="people_role", format_func=lambda r: r or "any")
found = ui.query(people.people_search, text=text, role=role or None)
st.dataframe(
    [
        {
            "Name": p.full_name,
            "Username": p.username,
            "Email": p.email,
            "Role": p.role,
            "Active": p.is_active,
            "Licenses": p.licenses,
        }
        for p in found
    ],
    hide_index=True,
    width="stretch",
)
if not found:
    st.info("Nobody matches.")
    ui.stop()
person = st.selectbox(
    "Person", found, key="people_choice", format_func=lambda p: f"{p.full_name} ({p.username})"
)
st.page_link(
    "pages/admin_person.py", label="Open the whole record", query_params={"user": str(person.id)}
)

with st.form("role"):
    st.markdown("**Role**")
    new_role = st.selectbox("New role", ROLES, index=ROLES.index(person.role), key="role_new")
    ui.field_error("role", "role")
    reason = st.text_input("Reason", key="role_reason")
    ui.field_error("role", "reason")
    ui.form_error("role")
    if st.form_submit_button("Change role"):
        ui.submit(
            "role",
            people.person_role_change,
            actor_id=admin.id,
            user_id=person.id,
            role=new_role,
            reason=reason,
        )
        if not ui.form_has_errors("role"):
            ui.flash(f"{person.full_name} is now {new_role}.")
        st.rerun()

with st.form("active"):
    st.markdown(f"**Account {'active' if person.is_active else 'deactivated'}**")
    reason = st.text_input("Reason", key="active_reason")
    ui.field_error("active", "reason")
    ui.form_error("active")
    label = "Deactivate" if person.is_active else "Reactivate"
    if st.form_submit_button(label):
        ui.submit(
            "active",
            people.person_set_active,
            actor_id=admin.id,
            user_id=person.id,
            active=not person.is_active,
            reason=reason,
        )
        if not ui.form_has_errors("active"):
            ui.flash(f"{label}d {person.full_name}.")
        st.rerun()

st.markdown("**Password**")
st.caption(
    f"Sends a one-time link valid for {settings.reset_link_minutes} minutes. "
    "No password is ever shown or emailed."
)
if st.button("Send a password-reset link", key="reset_send"):
    ui.submit(
        "reset",
        people.password_reset_send,
        actor_id=admin.id,
        user_id=person.id,
        base_url=settings.public_base_url,
        valid_for=timedelta(minutes=settings.reset_link_minutes),
    )
    if not ui.form_has_errors("reset"):
        ui.flash(f"A reset link is queued for {person.email}.")
    st.rerun()
ui.form_error("reset")
