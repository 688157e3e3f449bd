"""Who may fill in the evaluation and when; the queries other capabilities read.

Certificates: `from portal.evaluation.eligibility import evaluation_submitted`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.attendance.status import AttendanceSummary, attendance_summary
from portal.courses import content
from portal.errors import NotFound
from portal.learning.checklist_item import ChecklistItem
from portal.models import Course, Enrollment, Evaluation, Offering, utc_now
from portal.settings import settings_load
from portal.timefmt import format_instant, local_date, local_instant

if TYPE_CHECKING:
    from portal.learning.facts import EnrollmentFacts

State = Literal["unavailable", "waiting", "not_eligible", "open", "closed", "submitted"]
PAGE = "pages/evaluation.py"


@dataclass(frozen=True)
class EvaluationState:
    """Whether an enrollment's evaluation can be filled in now, and why (not)."""

    enrollment_id: int
    offering_id: int
    state: State
    message: str
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    saved_at: datetime | None = None
    submitted_at: datetime | None = None

    @property
    def can_answer(self) -> bool:
        """Whether answers may be saved and submitted now."""
        return self.state == "open"


def offering_course(session: Session, offering_id: int) -> content.Course:
    """The course content of an offering."""
    slug = session.scalar(
        select(Course.slug)
        .join(Offering, Offering.course_id == Course.id)
        .where(Offering.id == offering_id)
    )
    if slug is None:
        raise NotFound("No such offering.")
    return content.course_get(settings_load().content_dir, slug)


def opening_instant(summary: AttendanceSummary, open_at: str) -> datetime | None:
    """When the form opens: the last session's end, or (setting) the check-out from it."""
    last_end = summary.last_session_ends_at
    if open_at == "at_last_checkout" and summary.sessions:
        last = max(summary.sessions, key=lambda s: s.ends_at)
        if last.checked_out_at is not None:
            return min(last.checked_out_at, last.ends_at)
    return last_end


def closing_instant(offering: Offering) -> datetime | None:
    """The end of the evaluation deadline's day in the offering's time zone."""
    if offering.evaluation_deadline is None:
        return None
    next_day = offering.evaluation_deadline + timedelta(days=1)
    return local_instant(next_day, time(0), offering.time_zone)


def format_day(instant: datetime, time_zone: str) -> str:
    """'May 18, 2023': a submitted evaluation keeps its day only."""
    day = local_date(instant, time_zone)
    return f"{day:%B} {day.day}, {day.year}"


def _rule_words(evaluation: content.EvaluationSettings) -> str:
    if evaluation.full_attendance_required:
        return "participants who attended every session in full"
    return "participants who attended at least one session in full"


def _waiting_message(
    evaluation: content.EvaluationSettings, opens_at: datetime | None, zone: str
) -> str:
    if opens_at is None:
        return (
            "The evaluation opens after the offering's last session; no sessions are scheduled yet."
        )
    when = format_instant(opens_at, zone)
    if evaluation.open_at == "at_last_checkout":
        return (
            f"The evaluation opens when you check out of the last session (at the latest "
            f"when it ends, {when}), for {_rule_words(evaluation)}."
        )
    return (
        f"The evaluation opens when the last session ends, {when}, for {_rule_words(evaluation)}."
    )


def _not_eligible_message(
    evaluation: content.EvaluationSettings, summary: AttendanceSummary
) -> str:
    record = ", ".join(f"{s.title}: {s.status}" for s in summary.sessions)
    return (
        f"The evaluation is open to {_rule_words(evaluation)}. Your attendance record shows "
        f"{record}. If this is wrong, please contact the CE office."
    )


def _state(
    enrollment: Enrollment,
    offering: Offering,
    evaluation: content.EvaluationSettings,
    summary: AttendanceSummary,
    row: Evaluation | None,
    now: datetime,
) -> tuple[State, str, datetime | None, datetime | None]:
    zone = offering.time_zone
    opens_at, closes_at = opening_instant(summary, evaluation.open_at), closing_instant(offering)
    if row is not None and row.submitted_at is not None:
        return (
            "submitted",
            f"Submitted {format_day(row.submitted_at, zone)}. Thank you.",
            opens_at,
            closes_at,
        )
    if not evaluation.questions:
        return "unavailable", "This course has no evaluation.", opens_at, closes_at
    if enrollment.status != "active":
        return "unavailable", "Your enrollment is cancelled.", opens_at, closes_at
    if opens_at is None or now < opens_at:
        return "waiting", _waiting_message(evaluation, opens_at, zone), opens_at, closes_at
    if closes_at is not None and now >= closes_at:
        deadline = offering.evaluation_deadline
        assert deadline is not None  # closes_at is set only with a deadline
        day = f"{deadline:%B} {deadline.day}, {deadline.year}"
        message = f"The evaluation closed at the end of {day} ({zone})."
        return "closed", message, opens_at, closes_at
    if not summary.meets(full_attendance_required=evaluation.full_attendance_required):
        return "not_eligible", _not_eligible_message(evaluation, summary), opens_at, closes_at
    until = f" until {format_instant(closes_at, zone)}" if closes_at else ""
    return "open", f"The evaluation is open{until}.", opens_at, closes_at


def evaluation_row(session: Session, enrollment_id: int) -> Evaluation | None:
    """The enrollment's evaluation (draft or submitted), if any."""
    return session.scalar(select(Evaluation).where(Evaluation.enrollment_id == enrollment_id))


def evaluation_state(
    session: Session, enrollment_id: int, now: datetime | None = None
) -> EvaluationState:
    """Whether the enrollment's evaluation is waiting, open, closed or submitted, with why."""
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise NotFound("No such enrollment.")
    offering = session.get(Offering, enrollment.offering_id)
    assert offering is not None  # guaranteed by the foreign key
    evaluation = offering_course(session, offering.id).evaluation
    summary = attendance_summary(session, enrollment_id)
    row = evaluation_row(session, enrollment_id)
    state, message, opens_at, closes_at = _state(
        enrollment, offering, evaluation, summary, row, now or utc_now()
    )
    return EvaluationState(
        enrollment_id=enrollment_id,
        offering_id=offering.id,
        state=state,
        message=message,
        opens_at=opens_at,
        closes_at=closes_at,
        saved_at=row.updated_at if row is not None else None,
        submitted_at=row.submitted_at if row is not None else None,
    )


def evaluation_submitted(session: Session, enrollment_id: int) -> bool:
    """Whether the enrollment's evaluation has been submitted (certificate eligibility)."""
    query = select(Evaluation.id).where(
        Evaluation.enrollment_id == enrollment_id, Evaluation.status == "submitted"
    )
    return session.scalar(query) is not None


_CHECKLIST_STATUS = {
    "submitted": "done",
    "open": "todo",
    "waiting": "waiting",
    "not_eligible": "blocked",
    "closed": "blocked",
}


def evaluation_checklist(session: Session, enrollment_id: int) -> list[ChecklistItem]:
    """The Home checklist's evaluation step."""
    state = evaluation_state(session, enrollment_id)
    return _checklist_items(state.state, state.message, state.saved_at)


def evaluation_section(facts: EnrollmentFacts) -> list[ChecklistItem]:
    """The Home checklist's evaluation step, from the facts the page read once."""
    row = facts.evaluation
    state, message, _, _ = _state(
        facts.enrollment, facts.offering, facts.course.evaluation, facts.summary, row, facts.now
    )
    return _checklist_items(state, message, row.updated_at if row is not None else None)


def row_submitted(row: Evaluation | None) -> bool:
    """Whether an evaluation row is submitted (as evaluation_submitted asks the database)."""
    return row is not None and row.status == "submitted"


def _checklist_items(state: State, message: str, saved_at: datetime | None) -> list[ChecklistItem]:
    if state == "unavailable":
        return []
    detail = message
    if state == "open" and saved_at is not None:
        detail = f"Draft saved. {detail}"
    page = PAGE if state in ("open", "submitted") else None
    return [ChecklistItem("Course evaluation", _CHECKLIST_STATUS[state], detail, page)]  # type: ignore[arg-type]
