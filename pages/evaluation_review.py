"""Evaluation results for instructors and the CE office: rates, items, comments, exports."""

import altair as alt
import streamlit as st

from portal import ui
from portal.accounts.professions import PROFESSIONS
from portal.accounts.ui import require_role
from portal.errors import PortalError
from portal.evaluation.access import Filters, review_offerings
from portal.evaluation.queries import evaluation_results
from portal.evaluation.render import responses_csv, responses_xlsx, summary_pdf
from portal.evaluation.responses import evaluation_responses
from portal.evaluation.review import evaluation_review
from portal.evaluation.services import offering_evaluation_names_set

NAMES_FORM = "evaluation_names"

user = require_role("instructor", "admin")
st.title("Evaluation results")
offerings = ui.query(review_offerings, user_id=user.id)
offering = ui.staff_offering_pick(offerings, key="review_offering")
types = dict(offering.credit_types)
group = st.selectbox(
    "Respondents",
    [None, *(("profession", p) for p in PROFESSIONS), *(("credit_type", c) for c in types)],
    format_func=lambda g: (
        "Everyone"
        if g is None
        else (
            f"Profession: {PROFESSIONS[g[1]]}"
            if g[0] == "profession"
            else f"Credit type: {types[g[1]]}"
        )
    ),
    key="review_group",
    help="One group at a time. Groups are shown after the evaluation closes, and only when "
    "no comparison between them could single out fewer than the minimum number of people.",
)
filters = Filters(**({group[0]: group[1]} if group else {}))
search = st.session_state.get("review_comment_search", "")  # its box is drawn further down
try:
    results = ui.query(
        evaluation_results,
        offering_id=offering.id,
        viewer_id=user.id,
        filters=filters,
        search=search,
    )
except PortalError as error:
    ui.fail(str(error))
review, comments = results.review, results.comments

rate = f"{review.response_rate:.0%}" if review.response_rate is not None else "—"
cols = st.columns(4)
cols[0].metric("Submitted", review.submitted)
cols[1].metric("Eligible", review.eligible)
cols[2].metric("Response rate", rate)
cols[3].metric("In this group", review.group_size)
st.caption(
    f"Groups of fewer than {review.min_group_size} responses are hidden. "
    + (
        "Names are visible to the CE office for this offering (participants are told so)."
        if review.names_visible
        else "Responses are anonymous."
    )
)
if review.waiting_note:
    st.caption(review.waiting_note)
if review.hidden_reason:
    st.info(review.hidden_reason)
else:
    st.subheader("Learning objectives")
    st.dataframe(
        [
            {
                "Objective": f"{o.number}. {o.objective}",
                "n": o.n,
                "Mean": o.mean,
                "Median": o.median,
                "Agree or strongly agree": None
                if o.agree_percent is None
                else f"{o.agree_percent:.0f}%",
            }
            for o in review.objectives
        ],
        hide_index=True,
        width="stretch",
    )
    st.subheader("Items")
    for item in review.items:
        with st.container(border=True):
            st.markdown(f"**{ui.escape_markdown(item.text)}**")
            if item.hidden:
                st.caption(f"n = {item.n}; hidden (fewer than {review.min_group_size} answers).")
                continue
            stats = [f"n = {item.n}"]
            stats += (
                [f"mean {item.mean:.2f}", f"median {item.median:.1f}"]
                if item.mean is not None
                else []
            )
            st.caption(" · ".join(stats))
            if item.distribution:
                data = alt.Data(values=[{"Answer": a, "Count": c} for a, c in item.distribution])
                chart = (
                    alt.Chart(data)
                    .mark_bar()
                    .encode(x=alt.X("Count:Q"), y=alt.Y("Answer:N", sort=None, title=None))
                    .properties(height=30 * len(item.distribution))
                )
                st.altair_chart(chart, width="stretch")

st.subheader("Comments")
search = st.text_input("Search comments", key="review_comment_search")
if comments.hidden_reason:
    st.info(comments.hidden_reason)
elif not comments.comments:
    st.caption("No comments match.")
else:
    rows = [
        {"Question": c.question, "Comment": c.text} | ({"Author": c.author} if c.author else {})
        for c in comments.comments
    ]
    st.dataframe(rows, hide_index=True, width="stretch")
    if comments.truncated:
        st.caption("Showing the first 500 comments; search to narrow them.")

st.subheader("Exports")
slug = f"evaluation-{offering.id}"


def responses():
    """Built only when a download is clicked: every response as a table."""
    return ui.query(evaluation_responses, offering_id=offering.id, viewer_id=user.id)


def summary():
    """The sponsor's one-page summary of the whole offering (no filter)."""
    return summary_pdf(ui.query(evaluation_review, offering_id=offering.id, viewer_id=user.id))


if review.names_visible or review.visible >= review.min_group_size:
    st.download_button(
        "All responses (CSV)",
        lambda: responses_csv(responses()),
        file_name=f"{slug}.csv",
        mime="text/csv",
        key="review_export_csv",
        on_click="ignore",
    )
    st.download_button(
        "All responses (XLSX)",
        lambda: responses_xlsx(responses()),
        file_name=f"{slug}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="review_export_xlsx",
        on_click="ignore",
    )
else:
    st.caption(f"Response exports need at least {review.min_group_size} responses.")
st.download_button(
    "Evaluation summary for the sponsor (PDF)",
    summary,
    file_name=f"{slug}-summary.pdf",
    mime="application/pdf",
    key="review_export_pdf",
    on_click="ignore",
)

if review.is_admin:
    st.subheader("Names")
    names = st.toggle(
        "The CE office sees who wrote which evaluation",
        value=review.names_visible,
        key="review_names_visible",
        help="Participants are told on the evaluation form. It can be changed only before "
        "anyone has saved an evaluation for this offering.",
    )
    if names != review.names_visible:
        ui.submit(
            NAMES_FORM,
            offering_evaluation_names_set,
            actor_id=user.id,
            offering_id=offering.id,
            visible=names,
        )
        if not ui.form_has_errors(NAMES_FORM):
            st.rerun()
    ui.form_error(NAMES_FORM)
    st.subheader("Not submitted yet")
    pending = results.pending
    if pending:
        st.dataframe(
            [
                {
                    "Name": p.name,
                    "Email": p.email,
                    "Draft saved": "yes" if p.draft_saved_at else "no",
                }
                for p in pending
            ],
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption("Every eligible participant has submitted.")
