"""The groups staff may filter evaluation results by, decided once per visible set.

Results are remembered per database and visible set (see portal.evaluation.disclosure):
the set changes only when a batch is released or the evaluation closes, so a review of
10,000 responses is computed once, not on every view.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.accounts.professions import PROFESSIONS
from portal.courses.content import Course
from portal.evaluation.access import Filters, group_query
from portal.evaluation.disclosure import Disclosure, admitted_groups, cells_ok, visible_query
from portal.models import EvaluationAnswer

T = TypeVar("T")
_CACHE: WeakKeyDictionary[Any, dict[Hashable, Any]] = WeakKeyDictionary()
_CACHE_LIMIT = 512
_LOCK = threading.Lock()


def cached(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """compute() once per database (engine) and key; the key must name everything it reads."""
    engine = session.get_bind()
    with _LOCK:
        store = _CACHE.setdefault(engine, {})
        if key in store:
            return store[key]
    value = compute()
    with _LOCK:
        if len(store) >= _CACHE_LIMIT:
            store.clear()
        store[key] = value
    return value


def cache_clear() -> None:
    """Forget every remembered result (benchmarks time the computation itself)."""
    with _LOCK:
        _CACHE.clear()


def course_version(course: Course) -> str:
    """A fingerprint of the course's evaluation (questions, minimum) for cache keys."""
    data = f"{course.id}:{course.evaluation.model_dump_json()}".encode()
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class _Analysis:
    admitted: frozenset[Filters]
    sizes: dict[Filters, int]
    items_ok: frozenset[str]


@dataclass(frozen=True)
class GroupView:
    """The visible responses of an offering and the filtered groups within them."""

    session: Session
    disclosure: Disclosure
    course: Course

    def query(self, filters: Filters) -> Select[tuple[int]]:
        """The ids of the visible responses in the filtered group."""
        base = visible_query(self.disclosure)
        return group_query(self.session, self.disclosure.offering_id, base, self.course, filters)

    def candidates(self) -> list[Filters]:
        """Every one-dimension filter, in the fixed order groups are admitted in."""
        return [Filters(profession=p) for p in PROFESSIONS] + [
            Filters(credit_type=ct.id) for ct in self.course.credit_types
        ]

    def _analysis(self) -> _Analysis:
        key = ("groups", self.disclosure.version, course_version(self.course))
        return cached(self.session, key, self._analyse)

    def _analyse(self) -> _Analysis:
        members = {f: frozenset(self.session.scalars(self.query(f))) for f in self.candidates()}
        everyone = frozenset(self.session.scalars(visible_query(self.disclosure)))
        minimum = self.disclosure.minimum
        admitted = admitted_groups(everyone, members.items(), minimum)
        kept = [everyone, *(m for f, m in members.items() if f in admitted)]
        # Everyone who submitted answered the required questions; only the others can
        # leave a cell short.
        optional = [q.id for q in self.course.evaluation.questions if not q.required]
        answered: dict[str, set[int]] = {q: set() for q in optional}
        rows = select(EvaluationAnswer.evaluation_id, EvaluationAnswer.question_id).where(
            EvaluationAnswer.evaluation_id.in_(visible_query(self.disclosure)),
            EvaluationAnswer.question_id.in_(optional),
        )
        for evaluation_id, question_id in self.session.execute(rows):
            answered[question_id].add(evaluation_id)
        items_ok = frozenset(
            q.id
            for q in self.course.evaluation.questions
            if q.id not in answered or cells_ok([g & answered[q.id] for g in kept], minimum)
        )
        sizes = {f: len(m) for f, m in members.items()}
        return _Analysis(frozenset(admitted), sizes, items_ok)  # type: ignore[arg-type]

    def size(self, filters: Filters) -> int:
        """How many visible responses the filtered group holds."""
        return self._analysis().sizes.get(filters, 0)

    def item_ok(self, question_id: str) -> bool:
        """Whether the item's answers may be shown in filtered groups."""
        return question_id in self._analysis().items_ok

    def filter_reason(self, filters: Filters) -> str:
        """Why a filtered group is withheld ('' when shown)."""
        minimum = self.disclosure.minimum
        if filters.combined:
            return (
                "Choose one filter at a time: two filters together could single out a few "
                "people by difference."
            )
        if not self.disclosure.closed:
            return (
                "Results by profession or credit type are shown once the evaluation has "
                "closed, so that views taken at different times cannot be compared to single "
                "anyone out."
            )
        analysis = self._analysis()
        if filters in analysis.admitted:
            return ""
        size = analysis.sizes.get(filters, 0)
        if size < minimum:
            return (
                f"Results are hidden for groups of fewer than {minimum} responses "
                f"(this group has {size}), to keep answers anonymous."
            )
        return (
            "Results are hidden for this group: compared with everyone or with the other "
            f"groups shown, it would reveal the answers of fewer than {minimum} people."
        )


def group_view(session: Session, disclosure: Disclosure, course: Course) -> GroupView:
    """The visible responses of the offering, and its filtered groups."""
    return GroupView(session, disclosure, course)
