"""The evaluation section of a course file: questions, when the form opens, anonymity."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


QuestionType = Literal[
    "agreement", "rating", "yes_no", "single_choice", "multiple_choice", "free_text"
]
CHOICE_TYPES = ("single_choice", "multiple_choice")


class RequiredIf(_Strict):
    """A question becomes required when an earlier question has this answer."""

    question: str
    answer: str


class Question(_Strict):
    """One evaluation item: its id, text, answer type and whether it must be answered."""

    id: str = Field(pattern=r"^[a-z0-9-]+$", max_length=64)
    text: str = Field(min_length=1)
    type: QuestionType
    required: bool = True
    help: str = ""
    options: tuple[str, ...] = ()
    scale_max: int = Field(default=5, ge=2, le=10)
    objective: int | None = Field(default=None, ge=1)
    required_if: RequiredIf | None = None

    @model_validator(mode="after")
    def _options_fit_type(self) -> Question:
        if self.type in CHOICE_TYPES and len(self.options) < 2:
            raise ValueError(f"question {self.id!r}: a choice question needs at least 2 options")
        if self.type not in CHOICE_TYPES and self.options:
            raise ValueError(f"question {self.id!r}: only choice questions have options")
        return self


class EvaluationSettings(_Strict):
    """The course's post-course evaluation: its questions and when and to whom it opens."""

    questions: tuple[Question, ...] = ()
    # "at_last_checkout" opens it as soon as the participant checks out of the last session.
    open_at: Literal["after_last_session", "at_last_checkout"] = "after_last_session"
    attendance_rule: Literal["full_attendance", "partial_attendance"] = "full_attendance"
    # The disclosure rule's minimum (portal.evaluation.disclosure): groups, the cells between
    # shown groups and release batches hold at least this many responses. Whether the CE
    # office sees names is a setting of each offering, shown to participants on the form.
    min_group_size: int = Field(default=3, ge=1)
    free_text_max: int = Field(default=5000, ge=1, le=100_000)

    @model_validator(mode="after")
    def _questions_consistent(self) -> EvaluationSettings:
        seen: dict[str, Question] = {}
        for question in self.questions:
            if question.id in seen:
                raise ValueError(f"question id {question.id!r} is used twice")
            rule = question.required_if
            if rule is not None and rule.question not in seen:
                raise ValueError(
                    f"question {question.id!r}: required_if names {rule.question!r}, "
                    "which is not an earlier question"
                )
            seen[question.id] = question
        return self

    @property
    def full_attendance_required(self) -> bool:
        """Whether only participants who attended every session in full may evaluate."""
        return self.attendance_rule == "full_attendance"

    def question(self, question_id: str) -> Question:
        """The question with this id."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)
