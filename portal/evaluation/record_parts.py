"""Evaluations in the CE office's records: the bundle's summary and anonymised responses,
and a person's evaluation status (never their answers).

Listed by name in portal.records.bundle (BUNDLE_PARTS, PERSON_SECTIONS); this module imports
portal.records.bundle, never the other way round.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.courses.content import CourseFileError
from portal.errors import NotAllowed
from portal.evaluation.access import records_reviewer
from portal.evaluation.eligibility import format_day
from portal.evaluation.render import responses_csv, summary_pdf
from portal.evaluation.responses import ResponseTable, response_columns, responses_for
from portal.evaluation.review import review_for
from portal.models import Enrollment, Evaluation, Offering
from portal.records.parts import BundleFile, RecordSection
from portal.timefmt import format_instant


def evaluation_parts(session: Session, offering_id: int) -> list[BundleFile] | None:
    """evaluation-summary.pdf (the one-page rating summary) and evaluation-responses.csv
    (the responses the disclosure rule lets staff see, anonymised, in the stable random
    order; only the header while they are withheld)."""
    try:
        reviewer = records_reviewer(session, offering_id)
    except CourseFileError:
        return None  # without the course file there are no questions to report on
    try:
        responses = responses_for(session, offering_id, reviewer)
    except NotAllowed:  # the disclosure rule withholds them: the header alone
        responses = ResponseTable("", response_columns(reviewer.course.evaluation.questions), ())
    return [
        ("evaluation-summary.pdf", summary_pdf(review_for(session, offering_id, reviewer))),
        ("evaluation-responses.csv", responses_csv(responses)),
    ]


def evaluation_section(session: Session, user_id: int) -> RecordSection | None:
    """Evaluation status per offering: not started, draft or submitted, and when."""
    query = (
        select(Offering.label, Offering.time_zone, Evaluation)
        .select_from(Enrollment)
        .join(Offering, Offering.id == Enrollment.offering_id)
        .outerjoin(Evaluation, Evaluation.enrollment_id == Enrollment.id)
        .where(Enrollment.user_id == user_id)
        .order_by(Enrollment.id)
    )
    rows = tuple(
        {
            "Offering": label,
            "Evaluation": row.status if row else "not started",
            "Last saved": format_instant(row.updated_at, tz) if row else "—",
            "Submitted": format_day(row.submitted_at, tz) if row and row.submitted_at else "—",
        }
        for label, tz, row in session.execute(query)
    )
    return RecordSection("Evaluation", rows, "Answers are not shown here.") if rows else None
