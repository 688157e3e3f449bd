"""Outbox: every email the portal queued; without an SMTP server this is where mail stays."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.mail import outbox
from portal.mail import sender as email_sender
from portal.timefmt import format_instant

admin = require_role("admin")
ui.show_flash()
st.title("Outbox")
settings = ui.settings()
if email_sender.smtp_configured(settings):
    st.caption(f"Mail goes through {settings.smtp_host}:{settings.smtp_port}.")
    if st.button("Send due emails now", key="outbox_send"):
        report = email_sender.outbox_send_due(factory=ui.db(), settings=settings)
        ui.flash_rerun(
            f"Sent {report.sent}, retrying later {report.retrying}, failed {report.failed}."
        )
elif settings.is_demo:
    st.info("Demo mode: no SMTP server is configured, so emails stay here and are not sent.")
else:
    st.warning(
        "No SMTP server is configured (PORTAL_SMTP_HOST): emails wait here and nobody receives "
        "them until the operator sets one; the mail sender then delivers them."
    )
status = st.selectbox(
    "Status",
    ["", "pending", "sending", "sent", "failed"],
    key="outbox_status",
    format_func=lambda s: s or "all",
)
messages = ui.query(outbox.outbox_list, status=status or None)
if not messages:
    st.caption("No emails.")
for m in messages:
    # No address in the label: Streamlit would make it a link inside the expander's button.
    label = f"{format_instant(m.created_at, 'UTC')} · {m.status} · {m.subject}"
    with st.expander(label):
        st.caption(
            f"To {m.to_address} · kind {m.kind} · attempts {m.attempts}"
            + (f" · last error: {m.last_error}" if m.last_error else "")
        )
        st.code(m.body, language=None)
        if m.status == "failed" and st.button("Retry", key=f"outbox_retry_{m.id}"):
            ui.submit("outbox_retry", outbox.outbox_retry, actor_id=admin.id, message_id=m.id)
            ui.flash_rerun("Queued again.")
