import csv
import io
from collections import Counter
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from portal.errors import NotAllowed, PortalError
from portal.evaluation.access import Filters
from portal.evaluation.disclosure import admitted_groups, cells_ok
from portal.evaluation.render import responses_csv, responses_xlsx, summary_pdf
from portal.evaluation.responses import (
    evaluation_comments,
    evaluation_pending,
    evaluation_responses,
)
from portal.evaluation.review import evaluation_review, median_from_counts
from portal.evaluation.services import offering_evaluation_names_set
from portal.models import Evaluation
from tests.factories import enrollment_make, user_make
from tests.factories_attendance import attendance_make
from tests.factories_evaluation import attendee_make, ended_offering, submitted_make, user_of


@pytest.fixture
def people(session):
    instructor = user_make(session, role="instructor")
    offering = ended_offering(session, instructors=[instructor])
    return offering, instructor, user_make(session, role="admin")


def _item(review, question_id):
    return next(i for i in review.items if i.question_id == question_id)


def _close(session, offering):
    """The evaluation deadline has passed: every response is visible, groups may be shown."""
    offering.evaluation_deadline = date(2023, 6, 30)
    session.flush()


@pytest.mark.parametrize(
    ("counts", "median"),
    [({}, None), ({3.0: 1}, 3.0), ({1.0: 1, 5.0: 1}, 3.0), ({1.0: 2, 4.0: 1, 5.0: 3}, 4.5)],
)
def test_median_from_counts_matches_percentile_cont(counts, median):
    assert median_from_counts(counts) == median


def test_aggregates_response_rate_and_objectives(session, people):
    offering, instructor, _ = people
    for overall, level in (
        (5, "About right"),
        (4, "About right"),
        (2, "Too basic"),
        (5, "About right"),
    ):
        submitted_make(session, offering, overall=overall, **{"instructional-level": level})
    attendee_make(session, offering)  # eligible, not submitted
    partial = enrollment_make(session, user_make(session), offering)
    attendance_make(session, partial, offering.sessions[0])  # not eligible
    _close(session, offering)
    review = evaluation_review(session, offering.id, instructor.id)
    assert (review.submitted, review.eligible, review.response_rate) == (4, 5, 0.8)
    overall = _item(review, "overall")
    assert (overall.n, overall.mean, overall.median) == (4, 4.0, 4.5)
    assert overall.distribution == (("1", 0), ("2", 1), ("3", 0), ("4", 1), ("5", 2))
    level = _item(review, "instructional-level")
    assert level.mean is None and dict(level.distribution)["About right"] == 3
    assert [o.number for o in review.objectives] == [1, 2, 3, 4, 5]
    assert review.objectives[0].agree_percent == 100.0 and review.objectives[0].mean == 4.0
    assert not review.names_visible


def test_small_groups_and_their_complements_are_hidden(session, people):
    offering, instructor, admin = people
    submitted_make(session, offering)
    submitted_make(session, offering)
    review = evaluation_review(session, offering.id, admin.id)
    assert review.hidden_reason.startswith("Results are hidden for groups of fewer than 3")
    assert all(i.hidden and i.mean is None and not i.distribution for i in review.items)
    assert evaluation_comments(session, offering.id, instructor.id).hidden_reason
    for _ in range(3):
        submitted_make(session, offering)
    submitted_make(session, offering, profession="rn", state="CA")
    assert not evaluation_review(session, offering.id, admin.id).hidden_reason
    # While the evaluation is open no group can be compared with an earlier view of it.
    open_view = evaluation_review(session, offering.id, admin.id, Filters(profession="lmft"))
    assert "once the evaluation has closed" in open_view.hidden_reason
    _close(session, offering)
    # One nurse: the group is too small; everyone but the nurse: the rest would reveal her.
    for filters in (Filters(profession="rn"), Filters(profession="lmft")):
        review = evaluation_review(session, offering.id, admin.id, filters)
        assert review.hidden_reason and all(i.mean is None for i in review.items)


def _lmft_and_bbs(session, offering):
    """Four LMFTs, three of them licensed in California (BBS credit), and three nurses."""
    for profession, state in [("lmft", "CA")] * 3 + [("lmft", "NY"), *[("rn", "CA")] * 3]:
        submitted_make(session, offering, profession=profession, state=state)
    _close(session, offering)


def test_differencing_two_filters_cannot_single_anyone_out(session, people):
    offering, instructor, _ = people
    _lmft_and_bbs(session, offering)
    both = Filters(profession="lmft", credit_type="BBS")
    assert (
        "one filter at a time"
        in evaluation_review(session, offering.id, instructor.id, both).hidden_reason
    )
    lmft = evaluation_review(session, offering.id, instructor.id, Filters(profession="lmft"))
    bbs = evaluation_review(session, offering.id, instructor.id, Filters(credit_type="BBS"))
    assert (lmft.group_size, bbs.group_size) == (4, 3)
    # LMFT (4) minus BBS (3) would be the New York LMFT: one of the two stays hidden.
    assert not lmft.hidden_reason and bbs.hidden_reason
    assert all(i.mean is None for i in bbs.items)
    assert "would reveal the answers of fewer than 3" in bbs.hidden_reason
    comments = evaluation_comments(session, offering.id, instructor.id, Filters(credit_type="BBS"))
    assert comments.hidden_reason and not comments.comments


def test_every_cell_between_shown_groups_holds_the_minimum():
    everyone = frozenset(range(7))
    a, b = frozenset({0, 1, 2, 3}), frozenset({3, 4, 5, 6})  # A + B - everyone = person 3
    assert admitted_groups(everyone, [("A", a), ("B", b)], 3) == {"A"}
    assert not cells_ok([everyone, a, b], 3) and cells_ok([everyone, a], 3)
    assert admitted_groups(everyone, [("A", a), ("same", a), ("all", everyone)], 3) == {
        "A",
        "same",
        "all",
    }


def test_optional_item_answered_by_few_is_hidden(session, people):
    offering, instructor, _ = people
    for _ in range(3):
        submitted_make(session, offering)
    submitted_make(session, offering, comments="Only one person wrote this.")
    review = evaluation_review(session, offering.id, instructor.id)
    assert _item(review, "comments").hidden and not _item(review, "overall").hidden


def test_credit_type_filter_follows_licenses(session, people):
    offering, _, admin = people
    for profession, state in [("lmft", "CA")] * 3 + [("lmft", "NY")] * 3 + [("rn", "CA")] * 3:
        submitted_make(session, offering, profession=profession, state=state)
    _close(session, offering)
    sizes = {
        ct: evaluation_review(session, offering.id, admin.id, Filters(credit_type=ct)).group_size
        for ct in ("BBS", "BRN", "APA", "ATTENDANCE")
    }
    assert sizes == {"BBS": 3, "BRN": 3, "APA": 0, "ATTENDANCE": 3}
    lmft = evaluation_review(session, offering.id, admin.id, Filters(profession="lmft"))
    assert lmft.group_size == 6 and not lmft.hidden_reason


def test_only_assigned_instructors_and_admins_review(session, people):
    offering, _, admin = people
    for role in ("instructor", "participant"):
        with pytest.raises(NotAllowed):
            evaluation_review(session, offering.id, user_make(session, role=role).id)
    assert evaluation_review(session, offering.id, admin.id).is_admin


def test_comments_search_and_names(session, people):
    offering, instructor, admin = people
    for text in ("Loved the <b>meditation</b>", "More on *attachment*", "=HYPERLINK(1)"):
        submitted_make(session, offering, comments=text)
    found = evaluation_comments(session, offering.id, instructor.id, search="MEDITATION")
    assert [c.text for c in found.comments] == ["Loved the <b>meditation</b>"]
    assert found.comments[0].author is None
    assert evaluation_comments(session, offering.id, admin.id).comments[0].author is None
    offering.evaluation_names_visible = True
    session.flush()
    named = evaluation_comments(session, offering.id, admin.id)
    assert {c.author for c in named.comments} == {"Pat Participant"}
    assert evaluation_comments(session, offering.id, instructor.id).comments[0].author is None


def test_pending_participants_for_admins_only(session, people):
    offering, instructor, admin = people
    submitted_make(session, offering)
    waiting = attendee_make(session, offering, full_name="Rosa Díaz")
    enrollment_make(session, user_make(session, full_name="Never Came"), offering)
    pending = evaluation_pending(session, offering.id, admin.id)
    assert [p.name for p in pending] == ["Rosa Díaz"]
    assert pending[0].email == user_of(session, waiting).email
    with pytest.raises(NotAllowed):
        evaluation_pending(session, offering.id, instructor.id)


def test_exports_anonymous_for_instructors(session, people):
    offering, instructor, admin = people
    submitted_make(session, offering, comments="=cmd|' /C calc'!A0")
    with pytest.raises(NotAllowed, match="at least 3"):
        evaluation_responses(session, offering.id, instructor.id)
    for name in ("Ana Ávila", "Bo Li"):
        submitted_make(session, offering)
        user_of(session, attendee_make(session, offering)).full_name = name
    table = evaluation_responses(session, offering.id, instructor.id)
    assert table.columns[0] == "Response" and len(table.rows) == 3
    rows = list(csv.reader(io.StringIO(responses_csv(table).decode("utf-8-sig"))))
    assert "Pat Participant" not in str(rows)
    assert "'=cmd|' /C calc'!A0" in rows[1] + rows[2] + rows[3]
    sheet = load_workbook(io.BytesIO(responses_xlsx(table))).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "'=cmd|' /C calc'!A0" in values and all(
        c.data_type == "s" for r in sheet.iter_rows() for c in r if c.value
    )
    assert len(evaluation_responses(session, offering.id, admin.id).rows) == 3


def test_summary_pdf_is_one_page_with_means(session, people):
    offering, _, admin = people
    for _ in range(3):
        submitted_make(session, offering)
    pdf = PdfReader(io.BytesIO(summary_pdf(evaluation_review(session, offering.id, admin.id))))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "Evaluation summary" in text and "Responses: 3 of 3" in text
    assert "Objective 1" in text and "4.00" in text


def _rows(session, offering, viewer):
    return evaluation_responses(session, offering.id, viewer.id).rows


def test_submit_and_export_diff_reveals_no_one(session, people):
    offering, _, admin = people
    for overall in (5, 4, 5):
        submitted_make(session, offering, overall=overall)
    first = _rows(session, offering, admin)
    assert len(first) == 3 and _rows(session, offering, admin) == first  # a stable order
    # The CE office watches one person submit, then exports again: nothing new to see.
    submitted_make(session, offering, overall=1, comments="Only the latecomer wrote this.")
    again = _rows(session, offering, admin)
    assert again == first
    review = evaluation_review(session, offering.id, admin.id)
    assert (review.submitted, review.visible) == (4, 3) and "1 more response" in review.waiting_note
    assert _item(review, "overall").n == 3
    assert "latecomer" not in str(evaluation_comments(session, offering.id, admin.id))
    # Two more complete a batch of three: the new rows belong to any of the three.
    for _ in range(2):
        submitted_make(session, offering, overall=3)
    later = _rows(session, offering, admin)
    new = Counter(row[1:] for row in later) - Counter(row[1:] for row in first)
    assert len(later) == 6 and sum(new.values()) == 3
    assert "Only the latecomer wrote this." in str(new)  # among three new rows, not alone
    table = evaluation_responses(session, offering.id, admin.id)
    assert not [c for c in table.columns if "Submitted" in c or "time" in c.lower()]


def test_responses_keep_only_the_day(session, people):
    offering, _, _ = people
    enrollment = submitted_make(session, offering)
    row = session.scalar(select(Evaluation).where(Evaluation.enrollment_id == enrollment.id))
    local = row.submitted_at.astimezone(ZoneInfo(offering.time_zone))
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    assert row.created_at == row.updated_at == row.submitted_at


def test_single_response_never_leaves_in_an_export(session, people):
    offering, instructor, admin = people
    submitted_make(session, offering, comments="Only mine.")
    for viewer in (admin, instructor):
        with pytest.raises(NotAllowed, match="at least 3"):
            evaluation_responses(session, offering.id, viewer.id)
    _close(session, offering)  # closing does not lower the minimum
    with pytest.raises(NotAllowed):
        evaluation_responses(session, offering.id, admin.id)
    pdf = summary_pdf(evaluation_review(session, offering.id, admin.id))
    assert "Only mine" not in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_names_setting_is_the_offerings_and_fixed_once_answering_began(session, people):
    offering, instructor, admin = people
    with pytest.raises(NotAllowed):
        offering_evaluation_names_set(
            session=session, actor_id=instructor.id, offering_id=offering.id, visible=True
        )
    offering_evaluation_names_set(
        session=session, actor_id=admin.id, offering_id=offering.id, visible=True
    )
    submitted_make(session, offering, comments="Signed by me.")
    table = evaluation_responses(session, offering.id, admin.id)
    assert table.columns[:3] == ("Name", "Email", "Submitted (day)") and len(table.rows) == 1
    assert table.rows[0][2] == "2023-05-25"
    with pytest.raises(PortalError, match="already answered"):
        offering_evaluation_names_set(
            session=session, actor_id=admin.id, offering_id=offering.id, visible=False
        )
    with pytest.raises(NotAllowed):  # instructors never see names, nor a lone response
        evaluation_responses(session, offering.id, instructor.id)
