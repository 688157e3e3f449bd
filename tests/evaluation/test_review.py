import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from portal.errors import NotAllowed
from portal.evaluation import access
from portal.evaluation.access import Filters
from portal.evaluation.render import responses_csv, responses_xlsx, summary_pdf
from portal.evaluation.responses import (
    evaluation_comments,
    evaluation_pending,
    evaluation_responses,
)
from portal.evaluation.review import evaluation_review, median_from_counts
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
    # One nurse: the group is too small; everyone but the nurse: the rest would reveal her.
    for filters in (Filters(profession="rn"), Filters(profession="lmft")):
        review = evaluation_review(session, offering.id, admin.id, filters)
        assert review.hidden_reason and all(i.mean is None for i in review.items)


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


def test_comments_search_and_names(session, people, monkeypatch, course):
    offering, instructor, admin = people
    for text in ("Loved the <b>meditation</b>", "More on *attachment*", "=HYPERLINK(1)"):
        submitted_make(session, offering, comments=text)
    found = evaluation_comments(session, offering.id, instructor.id, search="MEDITATION")
    assert [c.text for c in found.comments] == ["Loved the <b>meditation</b>"]
    assert found.comments[0].author is None
    assert evaluation_comments(session, offering.id, admin.id).comments[0].author is None
    allowed = course.model_copy(
        update={"evaluation": course.evaluation.model_copy(update={"admins_see_names": True})}
    )
    monkeypatch.setattr(access, "offering_course", lambda session, offering_id: allowed)
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
