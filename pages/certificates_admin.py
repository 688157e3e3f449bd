"""CE office: issued certificates per offering, ZIP download, reissue, revoke, requests,
and a preview of each credit type's certificate."""

import streamlit as st

from portal import ui
from portal.accounts.ui import require_role
from portal.certificates import queries
from portal.certificates.bundle import certificates_zip
from portal.certificates.facts import issuer_from
from portal.certificates.preview import DEFAULT_OFFERING, SAMPLE_NAME, preview_from_content
from portal.certificates.reissue_requests import reissue_request_decide
from portal.certificates.services import certificate_reissue, certificate_revoke
from portal.errors import PortalError
from portal.models import utc_now
from portal.timefmt import format_instant, local_date

admin = require_role("admin")
ui.show_flash()
settings = ui.settings()
st.title("Certificates")
tab_issued, tab_requests, tab_preview = st.tabs(["Issued", "Reissue requests", "Preview"])


def done(message):
    """Keep a success message and show the page again."""
    ui.flash_rerun(message)


with tab_issued:
    offerings = ui.query(queries.offerings_for_issue)
    if not offerings:
        st.info("No offerings yet.")
    else:
        offering = st.selectbox(
            "Offering",
            offerings,
            format_func=lambda o: f"{o.course_title} — {o.label} ({o.current} current)",
            key="certificates_offering",
        )
        if offering.issue_by:
            today = local_date(utc_now(), "UTC")
            guidance = (
                f"Nurses' certificates are due within 90 days of the course (BRN, 16 CCR "
                f"1458(c)): for this offering by {offering.issue_by:%B} {offering.issue_by.day}, "
                f"{offering.issue_by:%Y}. Claiming is never blocked by this date."
            )
            (st.warning if today > offering.issue_by else st.info)(guidance)
        unprintable = ui.query(queries.unprintable_names, offering_id=offering.id)
        if unprintable:
            st.warning(
                "No certificate font prints these participants' names, so they cannot claim "
                "a certificate. Correct the name on the person's page if it is misspelt; "
                "otherwise contact them.",
                icon=":material/warning:",
            )
            st.dataframe(
                [
                    {"Participant": u.name, "Email": u.email, "Cannot print": u.characters}
                    for u in unprintable
                ],
                hide_index=True,
                key="certificates_unprintable",
            )
        search = st.text_input(
            "Find by participant's name or certificate number", key="certificates_search"
        )
        total = ui.query(
            queries.offering_certificates_count, offering_id=offering.id, search=search
        )
        limit, offset = ui.pager("certificates_page", total, "certificates")
        rows = ui.query(
            queries.offering_certificates,
            offering_id=offering.id,
            search=search,
            limit=limit,
            offset=offset,
        )
        st.dataframe(
            [
                {
                    "Number": r.number,
                    "Participant": r.participant_name,
                    "Type": r.credit_type_id,
                    "Credits": f"{r.hours} {r.unit}",
                    "License": r.license,
                    "Status": r.status,
                    "Issued": format_instant(r.issued_at, r.time_zone),
                    "Replaces": r.supersedes,
                    "Replaced by": r.superseded_by,
                    "Reason": r.issue_reason or r.revoke_reason,
                }
                for r in rows
            ],
            hide_index=True,
            width="stretch",
        )
        if st.button("Prepare a ZIP of the current certificates", key="certificates_zip_make"):
            files = ui.query(queries.offering_certificate_files, offering_id=offering.id)
            bar = st.progress(0.0, text="Adding certificates…")
            data = certificates_zip(
                files, progress=lambda n, total: bar.progress(n / total, text=f"{n} of {total}")
            )
            st.session_state["certificates_zip"] = (offering.id, data, len(files))
        kept = st.session_state.get("certificates_zip")
        if kept and kept[0] == offering.id:
            st.download_button(
                f"Download the ZIP ({kept[2]} certificates)",
                kept[1],
                file_name=f"certificates-offering-{offering.id}.zip",
                mime="application/zip",
                key="certificates_zip_download",
            )
        current = [r for r in rows if r.status == "current"]
        if current:
            st.subheader("Reissue or revoke")
            with st.form("certificate_change"):
                chosen = st.selectbox(
                    "Certificate",
                    current,
                    format_func=lambda r: f"{r.number} — {r.participant_name} ({r.credit_type_id})",
                    key="certificate_change_number",
                )
                reason = st.text_input("Reason (kept in the audit record)", key="change_reason")
                ui.field_error("certificate_change", "reason")
                st.caption(
                    "Reissue prints the name and license as the profile has them now, "
                    "under a new number that supersedes this one."
                )
                left, right = st.columns(2)
                reissue = left.form_submit_button("Reissue")
                revoke = right.form_submit_button("Revoke", type="primary")
            if reissue and ui.submit(
                "certificate_change",
                certificate_reissue,
                certificate_id=chosen.id,
                actor_id=admin.id,
                reason=reason,
                issuer=issuer_from(settings),
            ):
                done(f"Certificate {chosen.number} was reissued.")
            if revoke and ui.submit(
                "certificate_change",
                certificate_revoke,
                certificate_id=chosen.id,
                actor_id=admin.id,
                reason=reason,
            ):
                done(f"Certificate {chosen.number} was revoked.")
            ui.form_error("certificate_change")

with tab_requests:
    requests = ui.query(queries.reissue_requests_pending)
    if not requests:
        st.info("No requests are waiting.")
    for request in requests:
        form = f"request_{request.id}"
        with st.form(form):
            st.markdown(
                f"**{ui.escape_markdown(request.number)}** — printed name "
                f"{ui.escape_markdown(request.participant_name)}, profile name now "
                f"{ui.escape_markdown(request.profile_name)}  \n"
                f"Request: {ui.escape_markdown(request.reason)}"
            )
            note = st.text_input("Note to the participant (needed to decline)", key=f"{form}_note")
            ui.field_error(form, "note")
            left, right = st.columns(2)
            approve = left.form_submit_button("Approve and reissue")
            decline = right.form_submit_button("Decline")
        if approve or decline:
            ui.submit(
                form,
                reissue_request_decide,
                request_id=request.id,
                actor_id=admin.id,
                approve=approve,
                note=note,
                issuer=issuer_from(settings),
            )
            if not ui.form_has_errors(form):
                done("Request approved: certificate reissued." if approve else "Request declined.")
        ui.form_error(form)

with tab_preview:
    st.caption(
        "A sample certificate of each credit type, made from the course file, to check the "
        "wording before an offering starts. Samples carry no valid number."
    )
    with st.form("preview"):
        credit_type = st.selectbox(
            "Credit type", ["APA", "BBS", "BRN", "ATTENDANCE"], key="preview_credit_type"
        )
        name = st.text_input("Name", value=SAMPLE_NAME, key="preview_name")
        license = st.text_input("License (blank: a sample license)", key="preview_license")
        offering_id = st.text_input(
            "Offering id in the course file", value=DEFAULT_OFFERING, key="preview_offering"
        )
        make = st.form_submit_button("Make the sample")
    if make:
        try:
            st.session_state["preview_pdf"] = preview_from_content(
                content_dir=settings.content_dir,
                credit_type_id=credit_type,
                name=name,
                license=license or None,
                offering_id=offering_id,
                issuer=issuer_from(settings),
            )
        except PortalError as error:
            st.session_state["preview_pdf"] = None
            st.error(str(error))
    if st.session_state.get("preview_pdf"):
        st.download_button(
            "Download the sample (PDF)",
            st.session_state["preview_pdf"],
            file_name="certificate-sample.pdf",
            mime="application/pdf",
            key="preview_download",
        )
