"""Enroll in an open offering, see what you owe, request a cancellation in writing."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.enrollment import cancellations, payments
from portal.enrollment import services as enrollments
from portal.money import money_format
from portal.timefmt import format_span

user = require_role("participant")
ui.show_flash()
st.title("Enrollment and fees")


def _day(d) -> str:  # type: ignore[no-untyped-def]
    return f"{d:%B} {d.day}, {d.year}" if d else "—"


st.subheader("Open offerings")
offerings = ui.query(enrollments.offerings_for_enrollment, user_id=user.id)
if not offerings:
    st.info("No offering is open for enrollment right now.")
for o in offerings:
    with st.container(border=True):
        st.markdown(f"**{ui.escape_markdown(o.course_title)}** — {ui.escape_markdown(o.label)}")
        for start, end in o.sessions:
            st.caption(format_span(start, end, o.time_zone))
        early = f" ({money_format(o.early_fee_cents)} on or before {_day(o.early_deadline)})"
        st.markdown(
            f"Fee {money_format(o.fee_cents)}{early if o.early_deadline else ''}; "
            f"**your fee today: {money_format(o.fee_today_cents)}**, CE fees included."
        )
        st.caption(
            f"Cancellation: refund minus the {money_format(o.deposit_cents)} deposit when "
            f"requested on or before {_day(o.cancellation_deadline)}; no refund after. "
            f"Enrollment closes {_day(o.enrollment_closes)} ({o.time_zone})."
            + (f" Seats left: {o.seats_left}." if o.seats_left is not None else "")
        )
        form = f"enroll_{o.id}"
        if o.my_status:
            st.success(f"Your enrollment: {o.my_status}.")
        elif o.refusal:
            st.info(o.refusal)
        elif st.button(f"Enroll for {money_format(o.fee_today_cents)}", key=form, type="primary"):
            if ui.submit(form, enrollments.enrollment_create, user_id=user.id, offering_id=o.id):
                ui.flash("You are enrolled. A confirmation email is on its way.")
            st.rerun()
        ui.form_error(form)

st.subheader("Your enrollments")
accounts = ui.query(payments.enrollment_accounts, user_id=user.id)
if not accounts:
    st.info("You are not enrolled in an offering yet. Choose one under Open offerings above.")
for a in accounts:
    with st.container(border=True):
        st.markdown(f"**{ui.escape_markdown(a.offering_label)}** — enrollment {a.status}")
        st.markdown(
            f"Fee {money_format(a.fee_cents)} · paid {money_format(a.paid_cents)} · "
            f"**you owe {money_format(a.owed_cents)}**"
            + (f" · refunded {money_format(a.refunded_cents)}" if a.refunded_cents else "")
            + (
                f" · refund due to you {money_format(a.refund_due_cents)}"
                if a.refund_due_cents
                else ""
            )
        )
        if a.owed_cents:
            ui.payment_instructions(ui.query(payments.payment_info, offering_id=a.offering_id))
        if a.cancellation == "pending":
            st.info("Your cancellation request is waiting for the CE office.")
        if a.cancellation == "rejected":
            st.warning("Your cancellation request was not approved; contact the CE office.")
        if a.status != "active" or a.cancellation == "pending":
            continue
        with st.expander("Request cancellation"):
            quote = ui.query(
                cancellations.cancellation_quote, user_id=user.id, enrollment_id=a.enrollment_id
            )
            st.markdown(f"**{ui.escape_markdown(quote.explanation)}**")
            form = f"cancel_{a.enrollment_id}"
            with st.form(form):
                statement = st.text_area(
                    "Your cancellation request, in writing", key=f"{form}_text"
                )
                ui.field_error(form, "statement")
                confirm = st.checkbox(
                    f"I cancel my enrollment; my refund is {money_format(quote.refund_cents)}.",
                    key=f"{form}_confirm",
                )
                ui.field_error(form, "confirm")
                ui.form_error(form)
                if st.form_submit_button("Send cancellation request"):
                    done = ui.submit(
                        form,
                        cancellations.cancellation_request,
                        user_id=user.id,
                        enrollment_id=a.enrollment_id,
                        statement=statement,
                        expected_refund_cents=quote.refund_cents,
                        confirmed=confirm,
                    )
                    if done is not None:
                        ui.flash("Your cancellation request was sent to the CE office.")
                    st.rerun()
