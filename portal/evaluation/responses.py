"""Reads of individual responses: free-text comments, who has not submitted, exports."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.attendance.status import enrollments_meeting
from portal.errors import NotAllowed
from portal.evaluation.access import (
    Filters,
    Reviewer,
    group_hidden_reason,
    group_query,
    reviewer_for,
)
from portal.evaluation.form import Row, answer_display, answer_from_rows
from portal.evaluation.review import group_count
from portal.models import Enrollment, Evaluation, EvaluationAnswer, Offering, User
from portal.timefmt import format_instant


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
    filters = filters or Filters()
    reviewer = reviewer_for(session, offering_id, viewer_id)
    minimum = reviewer.course.evaluation.min_group_size
    total = group_count(session, offering_id, reviewer, Filters())
    size = group_count(session, offering_id, reviewer, filters) if filters.active else total
    if reason := group_hidden_reason(size, total, filters, minimum):
        return Comments((), reason)
    answer = EvaluationAnswer
    query = (
        select(answer.question_id, answer.value_text, User.full_name)
        .join(Evaluation, Evaluation.id == answer.evaluation_id)
        .join(Enrollment, Enrollment.id == Evaluation.enrollment_id)
        .join(User, User.id == Enrollment.user_id)
        .where(
            answer.evaluation_id.in_(group_query(session, offering_id, reviewer.course, filters))
        )
        .where(answer.value_text.is_not(None))
        .order_by(answer.question_id, answer.value_text)
        .limit(limit + 1)
    )
    if search.strip():
        query = query.where(answer.value_text.icontains(search.strip(), autoescape=True))
    texts = {q.id: q.text for q in reviewer.course.evaluation.questions}
    order = {q.id: i for i, q in enumerate(reviewer.course.evaluation.questions)}
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
    reviewer = reviewer_for(session, offering_id, viewer_id)
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


def _answer_rows(session: Session, offering_id: int) -> dict[int, dict[str, list[Row]]]:
    answer = EvaluationAnswer
    query = (
        select(
            answer.evaluation_id,
            answer.question_id,
            answer.item,
            answer.value_num,
            answer.value_text,
        )
        .join(Evaluation, Evaluation.id == answer.evaluation_id)
        .where(Evaluation.offering_id == offering_id, Evaluation.status == "submitted")
    )
    rows: dict[int, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for evaluation_id, question_id, item, num, text in session.execute(query):
        rows[evaluation_id][question_id].append((item, num, text))
    return rows


def evaluation_responses(session: Session, offering_id: int, viewer_id: int) -> ResponseTable:
    """All responses for export: names only for admins the course allows; otherwise
    anonymous, shuffled and refused below the minimum group size."""
    return responses_for(session, offering_id, reviewer_for(session, offering_id, viewer_id))


def responses_for(session: Session, offering_id: int, reviewer: Reviewer) -> ResponseTable:
    """The response table as this (already checked) reviewer may export it."""
    settings, offering = reviewer.course.evaluation, session.get(Offering, offering_id)
    assert offering is not None  # reviewer_for found its course
    people_query = (
        select(Evaluation.id, User.full_name, User.email, Evaluation.submitted_at)
        .join(Enrollment, Enrollment.id == Evaluation.enrollment_id)
        .join(User, User.id == Enrollment.user_id)
        .where(Evaluation.offering_id == offering_id, Evaluation.status == "submitted")
        .order_by(User.full_name)
    )
    people = list(session.execute(people_query))
    if not reviewer.is_admin and len(people) < settings.min_group_size:
        raise NotAllowed(f"Exports need at least {settings.min_group_size} responses.")
    answers, questions = _answer_rows(session, offering_id), settings.questions
    cells = [
        tuple(answer_display(q, answer_from_rows(q, answers[eid].get(q.id, []))) for q in questions)
        for eid, *_ in people
    ]
    if reviewer.names_visible:
        columns = ("Name", "Email", f"Submitted ({offering.time_zone})")
        rows = [
            (n, e, format_instant(at, offering.time_zone), *c)
            for (_, n, e, at), c in zip(people, cells, strict=True)
        ]
    else:
        random.SystemRandom().shuffle(cells)  # no order that follows names or submission times
        columns, rows = ("Response",), [(str(i), *c) for i, c in enumerate(cells, 1)]
    title = f"{reviewer.course.title} — {offering.label}"
    return ResponseTable(title, (*columns, *(q.text for q in questions)), tuple(rows))
