"""Certificates: what each one still needs, claiming it, and the frozen PDF to download."""

import streamlit as st

from portal import navigation, ui
from portal.accounts.ui import require_role
from portal.certificates import queries
from portal.certificates.facts import issuer_from
from portal.certificates.reissue_requests import certificate_reissue_request
from portal.certificates.services import certificate_claim, name_print_problem
from portal.timefmt import format_instant

ICONS = {True: ":material/check_circle:", False: ":material/radio_button_unchecked:"}

user = require_role("participant")
ui.show_flash()
settings = ui.settings()
st.title("Your certificates")
st.caption(
    "Each license gets the certificate its board needs (one per credit type). The "
    "certificate of attendance is for participants whose licenses qualify for no CE credit "
    "type: it lists the hours of instruction and makes no claim of CE credit."
)
views = ui.query(
    queries.participant_certificates, user_id=user.id, content_dir=settings.content_dir
)
if not views:
    st.info("You are not enrolled in an offering yet.")
    ui.stop()


def show_issued(claim, rows):
    """The download of an issued certificate and the form to ask for a correction."""
    number = claim.current_number
    row = next(r for r in rows if r.number == number)
    file = ui.query(queries.participant_certificate_file, user_id=user.id, number=number)
    st.download_button(
        "Download certificate (PDF)",
        file.pdf,
        file_name=file.filename,
        mime="application/pdf",
        key=f"download_{number}",
        icon=":material/download:",
    )
    st.caption(
        f"Certificate number {number}, issued {format_instant(row.issued_at, row.time_zone)}. "
        "Anyone can check it on the verification page. Every download is the same file."
    )
    if row.pending_request:
        st.info("Your correction request is waiting for the CE office.")
        return
    form = f"reissue_request_{number}"
    with st.expander("Is your name or license number wrong on it?"):
        with st.form(form):
            st.caption("Correct your profile first; the CE office then reissues the certificate.")
            reason = st.text_area("What should change?", key=f"{form}_reason")
            ui.field_error(form, "reason")
            if st.form_submit_button("Ask for a corrected certificate") and ui.submit(
                form,
                certificate_reissue_request,
                user_id=user.id,
                certificate_id=row.id,
                reason=reason,
            ):
                ui.flash_rerun("Request sent to the CE office.")
        ui.form_error(form)


def show_checklist(claim):
    """What is done and what is missing, each with where to do it, then the claim button."""
    for step in claim.steps:
        line = f"{ICONS[step.done]} {ui.escape_markdown(step.label)}"
        if step.detail:
            line += f" — {ui.escape_markdown(step.detail)}"
        st.markdown(line)
        if step.page and not step.done:
            st.page_link(step.page, label=navigation.link_label(step.page))
    form = f"claim_{claim.enrollment_id}_{claim.credit_type_id}"
    if not claim.eligible:
        st.caption("The certificate can be claimed once everything above is done.")
        return
    if problem := name_print_problem(user.full_name):
        st.warning(problem, icon=":material/warning:")
        st.page_link("pages/profile.py", label="Go to: Profile")
    if st.button("Claim my certificate", key=form, type="primary"):
        number = ui.submit(
            form,
            certificate_claim,
            user_id=user.id,
            enrollment_id=claim.enrollment_id,
            credit_type_id=claim.credit_type_id,
            issuer=issuer_from(settings),
        )
        if number:
            ui.flash_rerun(f"Certificate {number} is issued.")
    ui.form_error(form)


for view in views:
    with st.container(border=True):
        st.subheader(view.course_title)
        st.caption(view.offering_label)
        for claim in view.claims:
            st.markdown(
                f"#### {ui.escape_markdown(claim.credit_type_name)} · {claim.hours} "
                f"{ui.escape_markdown(claim.unit)}"
            )
            st.caption(claim.audience + (f" · license {claim.license}" if claim.license else ""))
            if claim.current_number:
                show_issued(claim, view.certificates)
            elif claim.revoked_reason is not None:
                st.error("The CE office revoked this certificate. Please contact them.")
            else:
                show_checklist(claim)
        earlier = [c for c in view.certificates if c.status != "current"]
        if earlier:
            st.markdown("**Earlier certificates**")
            st.dataframe(
                [
                    {
                        "Number": c.number,
                        "Type": c.credit_type_id,
                        "Status": c.status,
                        "Replaced by": c.superseded_by,
                    }
                    for c in earlier
                ],
                hide_index=True,
            )
