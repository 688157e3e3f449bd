import pytest
from pydantic import ValidationError

from portal.courses.content_evaluation import EvaluationSettings


def test_workshop_has_one_item_per_objective_and_the_sponsor_items(course):
    evaluation = course.evaluation
    objectives = [q.objective for q in evaluation.questions if q.objective]
    assert objectives == list(range(1, len(course.objectives) + 1))
    assert all(
        q.text.startswith("Based on the content of this workshop, I am able to:")
        for q in evaluation.questions
        if q.objective
    )
    ids = {q.id for q in evaluation.questions}
    assert {"relevance", "instructor-expertise", "fair-balanced", "accessibility", "overall"} <= ids
    assert evaluation.question("fair-balanced-explanation").required_if.answer == "no"


def test_defaults():
    settings = EvaluationSettings()
    assert settings.questions == () and settings.min_group_size == 3
    assert settings.open_at == "after_last_session" and settings.full_attendance_required
    assert settings.free_text_max == 5000 and settings.min_group_size == 3


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ([{"id": "a", "text": "A", "type": "rating"}] * 2, "used twice"),
        ([{"id": "a", "text": "A", "type": "single_choice", "options": ["x"]}], "at least 2"),
        ([{"id": "a", "text": "A", "type": "rating", "options": ["x", "y"]}], "only choice"),
        (
            [
                {
                    "id": "a",
                    "text": "A",
                    "type": "free_text",
                    "required_if": {"question": "b", "answer": "no"},
                }
            ],
            "not an earlier question",
        ),
        ([{"id": "a", "text": "A", "type": "stars"}], "type"),
    ],
)
def test_invalid_questions_are_refused(questions, message):
    with pytest.raises(ValidationError, match=message):
        EvaluationSettings(questions=questions)


def test_objective_must_exist(course):
    data = course.model_dump()
    data["evaluation"]["questions"][0]["objective"] = 9
    with pytest.raises(ValidationError, match="names objective 9"):
        type(course).model_validate(data)
