"""The review of an offering's evaluations: response rate and per-item aggregates in SQL."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from portal.attendance.status import enrollments_meeting
from portal.courses.content_evaluation import Question
from portal.evaluation.access import (
    Filters,
    Reviewer,
    group_hidden_reason,
    group_query,
    reviewer_for,
)
from portal.evaluation.form import NUMERIC_TYPES, value_label, value_range
from portal.models import EvaluationAnswer, Offering
from portal.timefmt import local_date


@dataclass(frozen=True)
class ItemResult:
    """One question's results in the group: n, mean, median and the distribution."""

    question_id: str
    text: str
    type: str
    objective: int | None
    n: int
    mean: float | None
    median: float | None
    distribution: tuple[tuple[str, int], ...]
    hidden: bool


@dataclass(frozen=True)
class ObjectiveResult:
    """One learning objective's row of the table sponsors ask for."""

    number: int
    objective: str
    n: int
    mean: float | None
    median: float | None
    agree_percent: float | None


@dataclass(frozen=True)
class EvaluationReview:
    """An offering's evaluation results for one reviewer and filter."""

    offering_id: int
    offering_label: str
    course_title: str
    eligible: int
    submitted: int
    group_size: int
    filters: Filters
    min_group_size: int
    hidden_reason: str
    items: tuple[ItemResult, ...]
    objectives: tuple[ObjectiveResult, ...]
    is_admin: bool
    names_visible: bool
    sponsor: str = ""
    presenter: str = ""
    dates: str = ""

    @property
    def response_rate(self) -> float | None:
        """Submitted evaluations per eligible participant."""
        return self.submitted / self.eligible if self.eligible else None


def median_from_counts(counts: dict[float, int]) -> float | None:
    """The median (as percentile_cont(0.5)) of values given as value -> count."""
    total = sum(counts.values())
    if not total:
        return None
    values = sorted(counts)
    low, high, seen, found = (total - 1) // 2, total // 2, 0, {}
    for value in values:
        for position in (low, high):
            if seen <= position < seen + counts[value]:
                found[position] = value
        seen += counts[value]
    return (found[low] + found[high]) / 2


def _stats(
    session: Session, group: Select[tuple[int]], multiple: list[str]
) -> dict[str, tuple[int, float | None, float | None]]:
    """n, mean and (PostgreSQL) median per question, in one grouped query."""
    answer = EvaluationAnswer
    columns = [answer.question_id, func.count(), func.avg(answer.value_num)]
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        columns.append(func.percentile_cont(0.5).within_group(answer.value_num))
    query = select(*columns).where(answer.evaluation_id.in_(group)).group_by(answer.question_id)
    stats = {
        row[0]: (row[1], row[2], row[3] if postgres else None) for row in session.execute(query)
    }
    # A multiple-choice answer has a row per option: count people, not rows, there only.
    people = (
        select(answer.question_id, func.count(distinct(answer.evaluation_id)))
        .where(answer.evaluation_id.in_(group), answer.question_id.in_(multiple))
        .group_by(answer.question_id)
    )
    for question_id, n in session.execute(people) if multiple else ():
        stats[question_id] = (n, None, None)
    return stats


def _distribution(session: Session, group: Select[tuple[int]]) -> dict[str, dict[float, int]]:
    answer = EvaluationAnswer
    query = (
        select(answer.question_id, answer.value_num, func.count())
        .where(answer.evaluation_id.in_(group), answer.value_num.is_not(None))
        .group_by(answer.question_id, answer.value_num)
    )
    counts: dict[str, dict[float, int]] = defaultdict(dict)
    for question_id, value, count in session.execute(query):
        counts[question_id][value] = count
    return counts


def _item(question: Question, stats: tuple, counts: dict[float, int], hidden: bool) -> ItemResult:
    n, mean, median = stats
    numeric = question.type in NUMERIC_TYPES and not hidden
    if numeric and median is None:
        median = median_from_counts(counts)  # SQLite has no percentile_cont
    distribution = tuple(
        (value_label(question, v), counts.get(float(v), 0)) for v in value_range(question)
    )
    return ItemResult(
        question_id=question.id,
        text=question.text,
        type=question.type,
        objective=question.objective,
        n=n,
        mean=float(mean) if numeric and mean is not None else None,
        median=float(median) if numeric and median is not None else None,
        distribution=() if hidden or question.type == "free_text" else distribution,
        hidden=hidden,
    )


def _items(
    session: Session, reviewer: Reviewer, offering_id: int, filters: Filters, shown: bool
) -> tuple[ItemResult, ...]:
    course, minimum = reviewer.course, reviewer.course.evaluation.min_group_size
    group = group_query(session, offering_id, course, filters)
    multiple = [q.id for q in course.evaluation.questions if q.type == "multiple_choice"]
    stats = _stats(session, group, multiple) if shown else {}
    counts = _distribution(session, group) if shown else {}
    everyone = stats
    if shown and filters.active:
        everyone = _stats(session, group_query(session, offering_id, course, Filters()), multiple)
    results = []
    for q in course.evaluation.questions:
        n = stats.get(q.id, (0, None, None))[0]
        outside = everyone.get(q.id, (0, None, None))[0] - n
        hidden = not shown or n < minimum or 0 < outside < minimum
        results.append(_item(q, stats.get(q.id, (0, None, None)), counts.get(q.id, {}), hidden))
    return tuple(results)


def _objectives(reviewer: Reviewer, items: tuple[ItemResult, ...]) -> tuple[ObjectiveResult, ...]:
    rows = []
    for item in items:
        if item.objective is None or item.hidden:
            continue
        agree = sum(c for label, c in item.distribution if label[:1] in ("4", "5"))
        answered = sum(c for _, c in item.distribution)
        percent = 100 * agree / answered if answered and item.type == "agreement" else None
        text = reviewer.course.objectives[item.objective - 1]
        rows.append(ObjectiveResult(item.objective, text, item.n, item.mean, item.median, percent))
    return tuple(rows)


def format_date(instant: datetime, time_zone: str) -> str:
    """'May 18, 2023' for an instant in a zone."""
    day = local_date(instant, time_zone)
    return f"{day:%B} {day.day}, {day.year}"


def group_count(session: Session, offering_id: int, reviewer: Reviewer, filters: Filters) -> int:
    """How many submitted evaluations the group holds."""
    group = group_query(session, offering_id, reviewer.course, filters).subquery()
    return session.scalar(select(func.count()).select_from(group)) or 0


def eligible_count(session: Session, offering_id: int, full_attendance_required: bool) -> int:
    """Active enrollments whose attendance opens the evaluation to them (counted in SQL)."""
    rule = full_attendance_required
    return len(enrollments_meeting(session, offering_id, full_attendance_required=rule))


def evaluation_review(
    session: Session,
    offering_id: int,
    viewer_id: int,
    filters: Filters | None = None,
    *,
    with_eligible: bool = True,
) -> EvaluationReview:
    """Response rate, per-item and per-objective results; small groups are withheld.

    The eligible count is decided in SQL by the attendance capability (enrollments_meeting);
    with_eligible=False skips it when only the aggregates are wanted (eligible = 0).
    """
    reviewer = reviewer_for(session, offering_id, viewer_id)
    return review_for(session, offering_id, reviewer, filters, with_eligible=with_eligible)


def review_for(
    session: Session,
    offering_id: int,
    reviewer: Reviewer,
    filters: Filters | None = None,
    *,
    with_eligible: bool = True,
) -> EvaluationReview:
    """The review as this (already checked) reviewer sees it."""
    filters = filters or Filters()
    settings = reviewer.course.evaluation
    offering = session.get(Offering, offering_id)
    assert offering is not None  # reviewer_for found its course
    submitted = group_count(session, offering_id, reviewer, Filters())
    group_size = (
        group_count(session, offering_id, reviewer, filters) if filters.active else submitted
    )
    reason = group_hidden_reason(group_size, submitted, filters, settings.min_group_size)
    items = _items(session, reviewer, offering_id, filters, shown=not reason)
    return EvaluationReview(
        offering_id=offering_id,
        offering_label=offering.label,
        course_title=reviewer.course.title,
        eligible=eligible_count(session, offering_id, settings.full_attendance_required)
        if with_eligible
        else 0,
        submitted=submitted,
        group_size=group_size,
        filters=filters,
        min_group_size=settings.min_group_size,
        hidden_reason=reason,
        items=items,
        objectives=_objectives(reviewer, items),
        is_admin=reviewer.is_admin,
        names_visible=reviewer.names_visible,
        sponsor=reviewer.course.sponsor.name,
        presenter=reviewer.course.presenter.display_name,
        dates=", ".join(format_date(s.starts_at, offering.time_zone) for s in offering.sessions),
    )
