"""Reads of individual responses: free-text comments, who has not submitted, exports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.attendance.status import enrollments_meeting
from portal.courses.content_evaluation import Question
from portal.errors import NotAllowed
from portal.evaluation.access import Filters, Reviewer, reviewer_for
from portal.evaluation.disclosure import (
    Disclosure,
    disclosure_for,
    order_key,
    visible_query,
    whole_reason,
)
from portal.evaluation.form import Row, answer_display, answer_from_rows
from portal.evaluation.groups import cached, course_version, group_view
from portal.models import Enrollment, Evaluation, EvaluationAnswer, Offering, User
from portal.timefmt import local_date


@dataclass(frozen=True)
class Comment:
    """One free-text answer; the author only when an admin may see names."""

    question: str
    text: str
    author: str | None = None


@dataclass(frozen=True)
class Comments:
    """The comments of a group matching a search, or why they are withheld."""

    comments: tuple[Comment, ...]
    hidden_reason: str = ""
    truncated: bool = False


def evaluation_comments(
    session: Session,
    offering_id: int,
    viewer_id: int,
    filters: Filters | None = None,
    search: str = "",
    limit: int = 500,
) -> Comments:
    """Free-text answers of the group, ordered by question and text (not by who or when)."""
    reviewer = reviewer_for(session, offering_id, viewer_id)
    return comments_for(session, offering_id, reviewer, filters or Filters(), search, limit)


def comments_for(
    session: Session,
    offering_id: int,
    reviewer: Reviewer,
    filters: Filters,
    search: str = "",
    limit: int = 500,
) -> Comments:
    """The comments as this (already checked) reviewer may see them."""
    settings, offering = reviewer.course.evaluation, session.get(Offering, offering_id)
    assert offering is not None  # reviewer_for found its course
    disclosure = disclosure_for(session, offering, settings.min_group_size)
    key = (
        "comments",
        disclosure.version,
        filters,
        search.strip(),
        limit,
        reviewer.names_visible,
        course_version(reviewer.course),
    )
    return cached(
        session, key, lambda: _comments(session, disclosure, reviewer, filters, search, limit)
    )


def _comments(
    session: Session,
    disclosure: Disclosure,
    reviewer: Reviewer,
    filters: Filters,
    search: str,
    limit: int,
) -> Comments:
    groups = group_view(session, disclosure, reviewer.course)
    reason = whole_reason(disclosure) or (groups.filter_reason(filters) if filters.active else "")
    if reason:
        return Comments((), reason)
    answer = EvaluationAnswer
    query = (
        select(answer.question_id, answer.value_text, User.full_name)
        .join(Evaluation, Evaluation.id == answer.evaluation_id)
        .join(Enrollment, Enrollment.id == Evaluation.enrollment_id)
        .join(User, User.id == Enrollment.user_id)
        .where(answer.evaluation_id.in_(groups.query(filters)))
        .where(answer.value_text.is_not(None))
        .order_by(answer.question_id, answer.value_text)
        .limit(limit + 1)
    )
    if search.strip():
        query = query.where(answer.value_text.icontains(search.strip(), autoescape=True))
    questions = reviewer.course.evaluation.questions
    texts = {q.id: q.text for q in questions}
    order = {q.id: i for i, q in enumerate(questions)}
    rows = sorted(session.execute(query), key=lambda r: (order.get(r[0], 999), r[1]))
    comments = tuple(
        Comment(texts.get(q, q), text, name if reviewer.names_visible else None)
        for q, text, name in rows[:limit]
    )
    return Comments(comments, truncated=len(rows) > limit)


@dataclass(frozen=True)
class PendingParticipant:
    """An eligible participant who has not submitted the evaluation yet."""

    name: str
    email: str
    draft_saved_at: datetime | None


def evaluation_pending(
    session: Session, offering_id: int, viewer_id: int
) -> tuple[PendingParticipant, ...]:
    """Eligible participants without a submitted evaluation (admins only)."""
    return pending_for(session, offering_id, reviewer_for(session, offering_id, viewer_id))


def pending_for(
    session: Session, offering_id: int, reviewer: Reviewer
) -> tuple[PendingParticipant, ...]:
    """Who has not submitted, for this (already checked) reviewer: admins only."""
    if not reviewer.is_admin:
        raise NotAllowed("Only the CE office sees who has not submitted.")
    rule = reviewer.course.evaluation.full_attendance_required
    eligible = enrollments_meeting(session, offering_id, full_attendance_required=rule)
    query = (
        select(User.full_name, User.email, Evaluation.status, Evaluation.updated_at)
        .join(Enrollment, Enrollment.user_id == User.id)
        .outerjoin(Evaluation, Evaluation.enrollment_id == Enrollment.id)
        .where(Enrollment.id.in_(eligible))
        .order_by(User.full_name, User.email)
    )
    return tuple(
        PendingParticipant(name, email, saved if status == "draft" else None)
        for name, email, status, saved in session.execute(query)
        if status != "submitted"
    )


@dataclass(frozen=True)
class ResponseTable:
    """Every submitted response, one row each, as text cells for CSV and XLSX."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _answer_rows(
    session: Session, evaluations: Select[tuple[int]]
) -> dict[int, dict[str, list[Row]]]:
    answer = EvaluationAnswer
    query = select(
        answer.evaluation_id, answer.question_id, answer.item, answer.value_num, answer.value_text
    ).where(answer.evaluation_id.in_(evaluations))
    rows: dict[int, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for evaluation_id, question_id, item, num, text in session.execute(query):
        rows[evaluation_id][question_id].append((item, num, text))
    return rows


def evaluation_responses(session: Session, offering_id: int, viewer_id: int) -> ResponseTable:
    """All responses staff may see, for export: named only for the CE office when the
    offering says so; otherwise anonymous, in the offering's stable random order, and
    refused below the minimum group size."""
    return responses_for(session, offering_id, reviewer_for(session, offering_id, viewer_id))


def responses_for(session: Session, offering_id: int, reviewer: Reviewer) -> ResponseTable:
    """The response table as this (already checked) reviewer may export it."""
    settings, offering = reviewer.course.evaluation, session.get(Offering, offering_id)
    assert offering is not None  # reviewer_for found its course
    questions, title = settings.questions, f"{reviewer.course.title} — {offering.label}"
    if reviewer.names_visible:
        return _named_responses(session, offering, questions, title)
    disclosure = disclosure_for(session, offering, settings.min_group_size)
    if reason := whole_reason(disclosure):
        raise NotAllowed(
            f"Response exports need at least {settings.min_group_size} responses. {reason}"
        )
    visible = visible_query(disclosure)
    answers = _answer_rows(session, visible)
    ids = sorted(session.scalars(visible), key=lambda i: order_key(disclosure.order_seed, i))
    rows = [
        (
            str(n),
            *(answer_display(q, answer_from_rows(q, answers[i].get(q.id, []))) for q in questions),
        )
        for n, i in enumerate(ids, 1)
    ]
    return ResponseTable(title, response_columns(questions), tuple(rows))


def response_columns(questions: tuple[Question, ...]) -> tuple[str, ...]:
    """The header of an anonymous response table."""
    return ("Response", *(q.text for q in questions))


def _named_responses(
    session: Session, offering: Offering, questions: tuple[Question, ...], title: str
) -> ResponseTable:
    """Every submitted response with its author (the participants were told on the form)."""
    people_query = (
        select(Evaluation.id, User.full_name, User.email, Evaluation.submitted_at)
        .join(Enrollment, Enrollment.id == Evaluation.enrollment_id)
        .join(User, User.id == Enrollment.user_id)
        .where(Evaluation.offering_id == offering.id, Evaluation.status == "submitted")
        .order_by(User.full_name, User.email)
    )
    people = list(session.execute(people_query))
    answers = _answer_rows(
        session, select(Evaluation.id).where(Evaluation.offering_id == offering.id)
    )
    zone = offering.time_zone
    rows = [
        (
            name,
            email,
            local_date(at, zone).isoformat(),
            *(answer_display(q, answer_from_rows(q, answers[i].get(q.id, []))) for q in questions),
        )
        for i, name, email, at in people
    ]
    columns = ("Name", "Email", "Submitted (day)", *(q.text for q in questions))
    return ResponseTable(title, columns, tuple(rows))
