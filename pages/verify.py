"""Verify a certificate: public, no sign-in; a number typed in or from the QR code link."""

import streamlit as st

from portal import ui
from portal.certificates.ui import verify_client_keys
from portal.certificates.verify import certificate_verify
from portal.timefmt import format_instant

FORM = "verify"

st.title("Verify a certificate")
st.write(
    "Enter the certificate number printed on the certificate (it starts with CE-), "
    "or scan the QR code on it."
)
linked = st.query_params.get("number", "")
with st.form(FORM):
    number = st.text_input("Certificate number", value=linked, max_chars=40, key="verify_number")
    ui.field_error(FORM, "number")
    checked = st.form_submit_button("Check")

# A QR link is checked once on arrival; later reruns show the kept result.
if linked and st.session_state.get("verify_linked") != linked:
    st.session_state["verify_linked"] = linked
    checked, number = True, linked
if checked:
    st.session_state["verify_result"] = ui.submit(
        FORM, certificate_verify, number=number, client_keys=verify_client_keys()
    )
ui.form_error(FORM)


def issued_text(found) -> str:  # type: ignore[no-untyped-def]
    """When the certificate was issued, the way every page shows an instant."""
    if found.issued_at is None:
        return ui.escape_markdown(found.issued_on)
    return ui.escape_markdown(format_instant(found.issued_at, found.time_zone))


result = st.session_state.get("verify_result")
if result is not None:
    shown = ui.escape_markdown(result.number)
    if result.outcome == "valid":
        st.success(f"**Valid.** Certificate {shown} was issued by this CE office.")
        st.markdown(
            f"**Name:** {ui.escape_markdown(result.participant_name)}  \n"
            f"**Program:** {ui.escape_markdown(result.program_title)}  \n"
            f"**Date(s):** {ui.escape_markdown(result.dates)}  \n"
            f"**Credits:** {ui.escape_markdown(result.credits)}  \n"
            f"**Issued:** {issued_text(result)}"
        )
    elif result.outcome == "demo":
        st.error(
            f"**DEMO — not a valid CE certificate.** Certificate {shown} was made by a demo "
            "portal, with demo data. It is no record of continuing education."
        )
    elif result.outcome == "superseded":
        st.warning(
            f"**Superseded.** Certificate {shown} was replaced by certificate "
            f"{ui.escape_markdown(result.replacement_number)}; check that one instead."
        )
    elif result.outcome == "revoked":
        st.error(f"**Revoked.** Certificate {shown} is no longer valid.")
    else:
        st.error(f"**Not found.** No certificate has the number {shown}. Check the number.")
