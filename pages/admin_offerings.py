"""Offerings: create and edit (dates, time zone, sessions, fees, deadlines, capacity,
instructors) and cancel an offering (full refunds become due)."""

from datetime import time

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.courses import offerings as offerings_admin
from portal.courses.offerings import OfferingForm, SessionInput
from portal.enrollment import cancellations

admin = require_role("admin")
ui.show_flash()
st.title("Offerings")
choices = ui.query(offerings_admin.offering_choices)
chosen = st.selectbox(
    "Offering",
    [None, *choices],
    key="offering_choice",
    format_func=lambda c: c.label if c else "➕ New offering",
)
courses = ui.query(offerings_admin.courses_list)
teachers = ui.query(offerings_admin.instructors_list)
if chosen:
    current = ui.query(offerings_admin.offering_form_get, offering_id=chosen.id)
else:
    current = OfferingForm(
        courses[0].id if courses else 0,
        "",
        "",
        "America/Los_Angeles",
        sessions=(SessionInput("Session 1", None, time(9), time(12), 180),),
    )
k = f"off_{chosen.id if chosen else 'new'}"
FORM = "offering"
course_ids = [c.id for c in courses]
course_id = st.selectbox(
    "Course",
    course_ids,
    key=f"{k}_course",
    format_func=lambda i: next(c.label for c in courses if c.id == i),
    index=course_ids.index(current.course_id) if current.course_id in course_ids else 0,
)
c1, c2, c3 = st.columns(3)
slug = c1.text_input("Slug", current.slug, key=f"{k}_slug")
label = c2.text_input("Label (dates)", current.label, key=f"{k}_label")
time_zone = c3.text_input("Time zone (IANA)", current.time_zone, key=f"{k}_tz")
for field in ("slug", "label", "time_zone", "course"):
    ui.field_error(FORM, field)
f1, f2, f3, f4 = st.columns(4)
fee = f1.text_input("Fee ($)", current.fee, key=f"{k}_fee")
early_fee = f2.text_input("Early-bird fee ($)", current.early_fee, key=f"{k}_early_fee")
deposit = f3.text_input("Non-refundable deposit ($)", current.deposit, key=f"{k}_deposit")
capacity = f4.number_input(
    "Capacity (0 = no limit)", 0, 10000, current.capacity or 0, key=f"{k}_cap"
)
for field in ("fee", "early_fee", "deposit", "capacity"):
    ui.field_error(FORM, field)
requires_payment = st.checkbox(
    "Certificates need the fee paid (the CE office can waive it per person with a reason)",
    current.certificate_requires_payment,
    key=f"{k}_requires_payment",
)
d = st.columns(5)
dates = {
    name: d[i].date_input(title, getattr(current, name), key=f"{k}_{name}")
    for i, (name, title) in enumerate(
        [
            ("early_deadline", "Early-bird until"),
            ("cancellation_deadline", "Refund requests until"),
            ("enrollment_closes", "Enrollment closes"),
            ("evaluation_deadline", "Evaluation due"),
            ("access_until", "Access until"),
        ]
    )
}
status = st.radio(
    "Status",
    ["open", "closed"],
    key=f"{k}_status",
    horizontal=True,
    index=0 if current.status != "closed" else 1,
)
ui.field_error(FORM, "status")
st.markdown("**Sessions** (local times in the offering's time zone)")
count = st.number_input("Number of sessions", 1, 20, max(len(current.sessions), 1), key=f"{k}_n")
sessions = []
for i in range(int(count)):
    old = (
        current.sessions[i]
        if i < len(current.sessions)
        else SessionInput(f"Session {i + 1}", None, time(9), time(12), 180)
    )
    s = st.columns([2, 2, 1, 1, 1])
    row = f"Session {i + 1}"  # each row's labels name the row (screen readers read them alone)
    sessions.append(
        SessionInput(
            s[0].text_input(f"{row} title", old.title, key=f"{k}_s{i}_title"),
            s[1].date_input(f"{row} date", old.day, key=f"{k}_s{i}_day"),
            s[2].time_input(f"{row} start", old.start, key=f"{k}_s{i}_start"),
            s[3].time_input(f"{row} end", old.end, key=f"{k}_s{i}_end"),
            int(
                s[4].number_input(
                    f"{row} instructional minutes",
                    1,
                    1440,
                    old.instructional_minutes,
                    key=f"{k}_s{i}_min",
                )
            ),
        )
    )
ui.field_error(FORM, "sessions")
if chosen:
    st.caption(
        "Sessions cannot be removed, added or moved once people are enrolled: their "
        "attendance and certificates depend on them."
    )
    reason = st.text_input(
        "Reason for changing dates (required when session dates or deadlines change)",
        key=f"{k}_reason",
    )
    ui.field_error(FORM, "reason")
else:
    reason = ""
teacher_ids = [t.id for t in teachers]
instructor_ids = st.multiselect(
    "Instructors",
    teacher_ids,
    default=[i for i in current.instructor_ids if i in teacher_ids],
    key=f"{k}_instructors",
    format_func=lambda i: next(t.label for t in teachers if t.id == i),
)
ui.field_error(FORM, "instructors")
ui.form_error(FORM)
if st.button(
    "Save offering", key=f"{k}_save", type="primary", disabled=current.status == "cancelled"
):
    form = OfferingForm(
        course_id,
        slug,
        label,
        time_zone,
        status,
        fee,
        early_fee,
        deposit,
        int(capacity) or None,
        sessions=tuple(sessions),
        instructor_ids=tuple(instructor_ids),
        reason=reason,
        certificate_requires_payment=requires_payment,
        **dates,
    )
    saved = ui.submit(
        FORM,
        offerings_admin.offering_save,
        actor_id=admin.id,
        offering_id=chosen.id if chosen else None,
        form=form,
    )
    if saved is not None:
        ui.flash("Offering saved.")
    st.rerun()

if chosen and current.status != "cancelled":
    with st.expander("Cancel this offering"):
        st.warning("Every enrollment is cancelled and a full refund of what was paid becomes due.")
        with st.form("cancel_offering"):
            reason = st.text_input("Reason", key=f"{k}_cancel_reason")
            ui.field_error("cancel_offering", "reason")
            ui.form_error("cancel_offering")
            if st.form_submit_button("Cancel the offering"):
                done = ui.submit(
                    "cancel_offering",
                    cancellations.offering_cancel,
                    actor_id=admin.id,
                    offering_id=chosen.id,
                    reason=reason,
                )
                if done is not None:
                    ui.flash(f"Offering cancelled; {done} enrollment(s) get a full refund.")
                st.rerun()
elif chosen:
    st.info("This offering is cancelled. Record refunds on the Payments and refunds page.")
