"""Reads for the participant's evaluation page, scoped to that participant."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.courses.content_evaluation import Question
from portal.evaluation.eligibility import EvaluationState, evaluation_state, offering_course
from portal.evaluation.form import Row, answer_from_rows
from portal.models import Enrollment, Evaluation, EvaluationAnswer, Offering


@dataclass(frozen=True)
class EvaluationForm:
    """One enrollment's evaluation: its state, the questions and the answers saved so far."""

    state: EvaluationState
    course_title: str
    offering_label: str
    time_zone: str
    questions: tuple[Question, ...]
    free_text_max: int
    answers: dict[str, Any] = field(default_factory=dict)
    names_visible: bool = False
    min_group_size: int = 3

    @property
    def privacy_note(self) -> str:
        """What staff will see of this person's answers, as the form tells them."""
        if self.names_visible:
            return (
                "For this offering the CE office sees your name with your answers. "
                "Instructors see answers only without names, in groups of at least "
                f"{self.min_group_size}."
            )
        return (
            "Your answers are anonymous: staff see them without your name, only in groups of "
            f"at least {self.min_group_size}, and without the time you submitted."
        )


def saved_answers(
    session: Session, enrollment_id: int, questions: tuple[Question, ...]
) -> dict[str, Any]:
    """The answers stored for an enrollment's evaluation, by question id."""
    query = (
        select(
            EvaluationAnswer.question_id,
            EvaluationAnswer.item,
            EvaluationAnswer.value_num,
            EvaluationAnswer.value_text,
        )
        .join(Evaluation, Evaluation.id == EvaluationAnswer.evaluation_id)
        .where(Evaluation.enrollment_id == enrollment_id)
    )
    rows: dict[str, list[Row]] = defaultdict(list)
    for question_id, item, num, text in session.execute(query):
        rows[question_id].append((item, num, text))
    return {q.id: answer_from_rows(q, rows.get(q.id, [])) for q in questions}


def evaluation_forms_for(
    session: Session, user_id: int, now: datetime | None = None
) -> list[EvaluationForm]:
    """The person's own evaluations, one per enrollment, newest offering first."""
    query = (
        select(
            Enrollment.id,
            Offering.id,
            Offering.label,
            Offering.time_zone,
            Offering.evaluation_names_visible,
        )
        .join(Offering, Offering.id == Enrollment.offering_id)
        .where(Enrollment.user_id == user_id)
        .order_by(Enrollment.id.desc())
    )
    forms = []
    for enrollment_id, offering_id, label, zone, names in session.execute(query):
        course = offering_course(session, offering_id)
        state = evaluation_state(session, enrollment_id, now)
        if state.state == "unavailable":
            continue
        questions = course.evaluation.questions
        forms.append(
            EvaluationForm(
                state=state,
                course_title=course.title,
                offering_label=label,
                time_zone=zone,
                questions=questions,
                free_text_max=course.evaluation.free_text_max,
                answers=saved_answers(session, enrollment_id, questions),
                names_visible=names,
                min_group_size=course.evaluation.min_group_size,
            )
        )
    return forms
