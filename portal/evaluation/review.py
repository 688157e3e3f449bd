"""The review of an offering's evaluations: response rate and per-item aggregates in SQL."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from portal.attendance.status import enrollments_meeting
from portal.courses.content import Course
from portal.courses.content_evaluation import Question
from portal.evaluation.access import Filters, Reviewer, reviewer_for
from portal.evaluation.disclosure import Disclosure, disclosure_for, waiting_note, whole_reason
from portal.evaluation.eligibility import format_day
from portal.evaluation.form import NUMERIC_TYPES, value_label, value_range
from portal.evaluation.groups import GroupView, cached, course_version, group_view
from portal.models import EvaluationAnswer, Offering


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
    visible: int
    group_size: int
    filters: Filters
    min_group_size: int
    hidden_reason: str
    waiting_note: str
    filters_open: bool
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
    session: Session,
    groups: GroupView,
    course: Course,
    filters: Filters,
    shown: bool,
) -> tuple[ItemResult, ...]:
    minimum = course.evaluation.min_group_size
    group = groups.query(filters)
    multiple = [q.id for q in course.evaluation.questions if q.type == "multiple_choice"]
    stats = _stats(session, group, multiple) if shown else {}
    counts = _distribution(session, group) if shown else {}
    results = []
    for q in course.evaluation.questions:
        n = stats.get(q.id, (0, None, None))[0]
        # In a filtered view an item shows only when the people who answered it leave no
        # small cell between the shown groups (an optional item answered by few would).
        hidden = not shown or n < minimum or (filters.active and not groups.item_ok(q.id))
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
    """The review as this (already checked) reviewer sees it, under the disclosure rule."""
    filters = filters or Filters()
    settings = reviewer.course.evaluation
    offering = session.get(Offering, offering_id)
    assert offering is not None  # reviewer_for found its course
    disclosure = disclosure_for(session, offering, settings.min_group_size)
    reason, group_size, items = cached(
        session,
        ("review", disclosure.version, filters, course_version(reviewer.course)),
        lambda: _results(session, disclosure, reviewer.course, filters),
    )
    return EvaluationReview(
        offering_id=offering_id,
        offering_label=offering.label,
        course_title=reviewer.course.title,
        eligible=eligible_count(session, offering_id, settings.full_attendance_required)
        if with_eligible
        else 0,
        submitted=disclosure.submitted,
        visible=disclosure.visible,
        group_size=group_size,
        filters=filters,
        min_group_size=settings.min_group_size,
        hidden_reason=reason,
        waiting_note=waiting_note(disclosure),
        filters_open=disclosure.closed,
        items=items,
        objectives=_objectives(reviewer, items),
        is_admin=reviewer.is_admin,
        names_visible=reviewer.names_visible,
        sponsor=reviewer.course.sponsor.name,
        presenter=reviewer.course.presenter.display_name,
        dates=", ".join(format_day(s.starts_at, offering.time_zone) for s in offering.sessions),
    )


def _results(
    session: Session, disclosure: Disclosure, course: Course, filters: Filters
) -> tuple[str, int, tuple[ItemResult, ...]]:
    """Why the group is withheld (or ''), its size and its items: computed once per
    visible set, since the set changes only when a batch is released or at close."""
    groups = group_view(session, disclosure, course)
    reason = whole_reason(disclosure) or (groups.filter_reason(filters) if filters.active else "")
    if not filters.active:
        size = disclosure.visible
    else:  # sizes of groups are computed only where groups may be shown (after close)
        size = groups.size(filters) if disclosure.closed and not filters.combined else 0
    return reason, size, _items(session, groups, course, filters, shown=not reason)
