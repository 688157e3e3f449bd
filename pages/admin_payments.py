"""Payments and refunds: what each enrollment owes or is owed, payments received,
cancellation requests to approve and refunds paid back."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.courses import offerings as offerings_admin
from portal.enrollment import cancellations, payments
from portal.models import utc_now
from portal.money import money_format
from portal.timefmt import format_instant

admin = require_role("admin")
ui.show_flash()
st.title("Payments and refunds")
choices = ui.query(offerings_admin.offering_choices)
if not choices:
    st.info("No offerings yet.")
    ui.stop()
offering = st.selectbox("Offering", choices, key="pay_offering", format_func=lambda c: c.label)
accounts = ui.query(payments.enrollment_accounts, offering_id=offering.id)
st.dataframe(
    [
        {
            "Name": a.full_name,
            "Email": a.email,
            "Status": a.status,
            "Fee": money_format(a.fee_cents),
            "Paid": money_format(a.paid_cents),
            "Owed": money_format(a.owed_cents),
            "Refunded": money_format(a.refunded_cents),
            "Refund due": money_format(a.refund_due_cents),
            "Cancellation": ("provider" if a.by_provider else a.cancellation) or "—",
        }
        for a in accounts
    ],
    hide_index=True,
    width="stretch",
)
if not accounts:
    ui.stop()


def _who(a) -> str:  # type: ignore[no-untyped-def]
    return f"{a.full_name} ({a.email})"


st.subheader("Record a payment")
with st.form("payment", clear_on_submit=True):
    who = st.selectbox("Enrollment", accounts, key="pay_who", format_func=_who)
    amount = st.text_input("Amount ($)", key="pay_amount")
    ui.field_error("payment", "amount")
    paid_on = st.date_input("Paid on", value=utc_now().date(), key="pay_date")
    ui.field_error("payment", "date")
    reference = st.text_input("Reference", key="pay_reference")
    ui.field_error("payment", "reference")
    ui.form_error("payment")
    if st.form_submit_button("Record payment"):
        done = ui.submit(
            "payment",
            payments.payment_record,
            actor_id=admin.id,
            enrollment_id=who.enrollment_id,
            amount=amount,
            paid_on=paid_on,
            reference=reference,
        )
        if done is not None:
            ui.flash("Payment recorded.")
        st.rerun()

st.subheader("Waive the fee for certificates")
st.caption(
    "A certificate needs the fee paid unless the offering says otherwise; a waiver is audited."
)
owing = [a for a in accounts if a.owed_cents > 0]
if not owing:
    st.caption("Nobody owes the fee.")
else:
    with st.form("waiver", clear_on_submit=True):
        who = st.selectbox(
            "Enrollment",
            owing,
            key="waive_who",
            format_func=lambda a: f"{_who(a)} — owes {money_format(a.owed_cents)}",
        )
        why = st.text_input("Reason (kept on record)", key="waive_reason", max_chars=500)
        ui.field_error("waiver", "reason")
        ui.form_error("waiver")
        if st.form_submit_button("Waive the fee for certificates"):
            done = ui.submit(
                "waiver",
                payments.fee_waive,
                actor_id=admin.id,
                enrollment_id=who.enrollment_id,
                reason=why,
                now=utc_now(),
            )
            if done is not None:
                ui.flash("Fee waived for certificates.")
            st.rerun()

st.subheader("Cancellation requests")
pending = [a for a in accounts if a.cancellation == "pending"]
if not pending:
    st.caption("No request is waiting.")
for a in pending:
    with st.container(border=True):
        st.markdown(
            f"**{ui.escape_markdown(_who(a))}** — requested {format_instant(a.requested_at, 'UTC')}, "
            f"{'on time' if a.on_time else 'after the deadline'}; provider keeps "
            f"{money_format(a.retained_cents or 0)}"
        )
        st.text(a.statement)
        form = f"decide_{a.cancellation_id}"
        reason = st.text_input("Reason (required to reject)", key=f"{form}_reason")
        ui.field_error(form, "reason")
        ui.form_error(form)
        left, right = st.columns(2)
        for column, approve, label in ((left, True, "Approve"), (right, False, "Reject")):
            if column.button(label, key=f"{form}_{label.lower()}"):
                ui.submit(
                    form,
                    cancellations.cancellation_decide,
                    actor_id=admin.id,
                    request_id=a.cancellation_id,
                    approve=approve,
                    reason=reason,
                )
                if not ui.form_has_errors(form):
                    ui.flash(f"Request {label.lower()}d.")
                st.rerun()

st.subheader("Record a refund")
due = [a for a in accounts if a.refund_due_cents > 0]
if not due:
    st.caption("No refund is due.")
    ui.stop()
with st.form("refund", clear_on_submit=True):
    who = st.selectbox(
        "Enrollment",
        due,
        key="refund_who",
        format_func=lambda a: f"{_who(a)} — due {money_format(a.refund_due_cents)}",
    )
    amount = st.text_input("Amount ($)", key="refund_amount")
    ui.field_error("refund", "amount")
    refunded_on = st.date_input("Refunded on", value=utc_now().date(), key="refund_date")
    ui.field_error("refund", "date")
    reference = st.text_input("Reference", key="refund_reference")
    ui.field_error("refund", "reference")
    ui.form_error("refund")
    if st.form_submit_button("Record refund"):
        done = ui.submit(
            "refund",
            payments.refund_record,
            actor_id=admin.id,
            enrollment_id=who.enrollment_id,
            amount=amount,
            refunded_on=refunded_on,
            reference=reference,
        )
        if done is not None:
            ui.flash("Refund recorded.")
        st.rerun()
