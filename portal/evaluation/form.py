"""The evaluation form's answers: checking, storing as rows and reading back (pure logic).

Answer values as pages hand them over: agreement and rating an int, yes/no "yes" or "no",
single choice the option text, multiple choice a list of option texts, free text a str.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from portal.courses.content_evaluation import EvaluationSettings, Question

AGREEMENT = (
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
)
YES_NO = ("no", "yes")  # stored as 0 and 1
# Scale and yes/no answers have a mean and median; choice questions only a distribution.
NUMERIC_TYPES = ("agreement", "rating", "yes_no")

Answer = Any
Row = tuple[int, float | None, str | None]  # (item, value_num, value_text)


def is_empty(value: Answer) -> bool:
    """Whether a value means 'not answered'."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, list | tuple) and not value)


def clean_text(value: str) -> str:
    """Free text as stored: any Unicode, minus NUL (no database keeps it) and outer space."""
    return value.replace("\x00", "").strip()


def scale_max(question: Question) -> int:
    """The top of a question's numeric scale."""
    return 5 if question.type == "agreement" else question.scale_max


def _check_number(question: Question, value: Answer) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "Choose a value on the scale."
    if not 1 <= value <= scale_max(question):
        return f"Choose a value from 1 to {scale_max(question)}."
    return None


def answer_problem(question: Question, value: Answer, free_text_max: int) -> str | None:
    """Why a (non-empty) answer is invalid for its question, or None."""
    kind = question.type
    if kind in ("agreement", "rating"):
        return _check_number(question, value)
    if kind == "yes_no":
        return None if value in YES_NO else "Answer yes or no."
    if kind == "single_choice":
        return None if value in question.options else "Choose one of the options."
    if kind == "multiple_choice":
        ok = isinstance(value, list | tuple) and all(v in question.options for v in value)
        return None if ok else "Choose among the options."
    if not isinstance(value, str):
        return "Enter text."
    length = len(clean_text(value))
    return (
        None
        if length <= free_text_max
        else f"At most {free_text_max:,} characters ({length:,} now)."
    )


def is_required(question: Question, answers: Mapping[str, Answer]) -> bool:
    """Required by itself, or because an earlier answer asks for it (e.g. an explanation)."""
    rule = question.required_if
    if rule is None:
        return question.required
    given = answers.get(rule.question)
    return question.required or (given is not None and str(given) == rule.answer)


def answers_problems(
    evaluation: EvaluationSettings, answers: Mapping[str, Answer], *, complete: bool
) -> dict[str, str]:
    """Messages by question id: invalid answers, and (when complete) missing required ones."""
    problems: dict[str, str] = {}
    unknown = set(answers) - {q.id for q in evaluation.questions}
    if unknown:
        problems["_form"] = f"Unknown questions: {', '.join(sorted(unknown))}."
    for question in evaluation.questions:
        value = answers.get(question.id)
        if is_empty(value):
            if complete and is_required(question, answers):
                problems[question.id] = "This question needs an answer."
        elif message := answer_problem(question, value, evaluation.free_text_max):
            problems[question.id] = message
    return problems


def answer_rows(question: Question, value: Answer) -> list[Row]:
    """The rows that store a valid, non-empty answer."""
    kind = question.type
    if kind in ("agreement", "rating"):
        return [(0, float(value), None)]
    if kind == "yes_no":
        return [(0, float(YES_NO.index(value)), None)]
    if kind == "single_choice":
        return [(0, float(question.options.index(value)), None)]
    if kind == "multiple_choice":
        indexes = sorted({question.options.index(v) for v in value})
        return [(i, float(i), None) for i in indexes]
    return [(0, None, clean_text(value))]


def answer_from_rows(question: Question, rows: Sequence[Row]) -> Answer:
    """The answer value stored in these rows (rows for options no longer offered are skipped)."""
    kind = question.type
    if not rows:
        return [] if kind == "multiple_choice" else None
    if kind == "free_text":
        return rows[0][2]
    numbers = [int(r[1]) for r in sorted(rows) if r[1] is not None]
    if kind in ("agreement", "rating"):
        return numbers[0]
    if kind == "yes_no":
        return YES_NO[numbers[0]]
    chosen = [question.options[n] for n in numbers if 0 <= n < len(question.options)]
    return chosen if kind == "multiple_choice" else (chosen[0] if chosen else None)


def value_label(question: Question, number: int) -> str:
    """How a stored number reads in a distribution: the scale label, yes/no or the option."""
    kind = question.type
    if kind == "agreement":
        return f"{number} {AGREEMENT[number - 1]}" if 1 <= number <= 5 else str(number)
    if kind == "yes_no":
        return YES_NO[number].capitalize() if number in (0, 1) else str(number)
    if kind in ("single_choice", "multiple_choice"):
        return question.options[number] if 0 <= number < len(question.options) else "(removed)"
    return str(number)


def value_range(question: Question) -> list[int]:
    """Every number an answer to this question can store, in display order."""
    if question.type in ("single_choice", "multiple_choice"):
        return list(range(len(question.options)))
    if question.type == "yes_no":
        return [1, 0]
    return list(range(1, scale_max(question) + 1))


def answer_display(question: Question, value: Answer) -> str:
    """An answer as plain text for the read-only view and exports."""
    if is_empty(value):
        return ""
    if question.type == "agreement":
        return value_label(question, value)
    if question.type == "rating":
        return f"{value} of {scale_max(question)}"
    if question.type == "multiple_choice":
        return "; ".join(value)
    return str(value).capitalize() if question.type == "yes_no" else str(value)


def _normal(value: Answer) -> Answer:
    if is_empty(value):
        return None
    if isinstance(value, list | tuple):
        return tuple(sorted(value))
    return clean_text(value) if isinstance(value, str) else value


def answers_differ(given: Mapping[str, Answer], saved: Mapping[str, Answer]) -> bool:
    """Whether the form holds answers not yet saved (empty and blank count as the same)."""
    keys = set(given) | set(saved)
    return any(_normal(given.get(k)) != _normal(saved.get(k)) for k in keys)
