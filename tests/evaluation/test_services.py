import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.db import transaction
from portal.errors import FieldErrors, NotFound, PortalError
from portal.evaluation.eligibility import evaluation_state, evaluation_submitted
from portal.evaluation.participant import evaluation_forms_for, saved_answers
from portal.evaluation.services import evaluation_draft_save, evaluation_submit
from portal.models import AuditEvent, Evaluation, EvaluationRelease
from tests.factories import enrollment_make, user_make
from tests.factories_evaluation import AFTER, ENDED, answers_complete, attendee_make, ended_offering


@pytest.fixture
def attendee(session):
    return attendee_make(session, ended_offering(session))


def _save(session, enrollment, answers, now=AFTER, user_id=None, cleared=()):
    return evaluation_draft_save(
        session=session,
        user_id=user_id or enrollment.user_id,
        enrollment_id=enrollment.id,
        answers=answers,
        cleared=cleared,
        now=now,
    )


def _submit(session, enrollment, answers, now=AFTER):
    return evaluation_submit(
        session=session,
        user_id=enrollment.user_id,
        enrollment_id=enrollment.id,
        answers=answers,
        now=now,
    )


def test_draft_keeps_partial_answers_for_another_device(session, course, attendee):
    text = "Très utile — 思いやり 🙂 <script>alert(1)</script>"
    answers = {"objective-1": 5, "practice-change": ["Use self-compassion practices with clients"]}
    _save(session, attendee, answers | {"comments": text})
    session.commit()
    saved = saved_answers(session, attendee.id, course.evaluation.questions)
    assert saved["objective-1"] == 5 and saved["comments"] == text
    assert saved["practice-change"] == ["Use self-compassion practices with clients"]
    assert saved["overall"] is None
    [form] = evaluation_forms_for(session, attendee.user_id, now=AFTER)
    assert form.state.state == "open" and form.state.saved_at is not None
    assert form.answers["comments"] == text
    # Saving again replaces the answers given; an answer the person emptied disappears.
    _save(session, attendee, {"objective-1": 3, "comments": ""}, cleared=["comments"])
    saved = saved_answers(session, attendee.id, course.evaluation.questions)
    assert saved["objective-1"] == 3 and saved["comments"] is None
    assert saved["practice-change"] == ["Use self-compassion practices with clients"]


def test_blank_draft_never_overwrites_stored_answers(session, course, attendee):
    answers = {"objective-1": 5, "comments": "Kind words", "practice-change": []}
    answers["practice-change"] = ["Teach the gratitude and appreciation practice"]
    _save(session, attendee, answers)
    blanks = {"objective-1": None, "comments": "", "practice-change": [], "overall": None}
    _save(session, attendee, blanks)
    saved = saved_answers(session, attendee.id, course.evaluation.questions)
    assert {k: saved[k] for k in answers} == answers
    _save(session, attendee, blanks | {"overall": 2})  # a new answer still saves
    assert saved_answers(session, attendee.id, course.evaluation.questions)["overall"] == 2


def test_someone_elses_enrollment_is_refused(session, attendee):
    other = user_make(session)
    with pytest.raises(NotFound):
        _save(session, attendee, {"objective-1": 5}, user_id=other.id)


def test_submit_names_every_missing_required_answer(session, attendee):
    with pytest.raises(FieldErrors) as error:
        _submit(session, attendee, {"objective-1": 4})
    assert error.value.errors["objective-2"] == "This question needs an answer."
    assert "overall" in error.value.errors and "comments" not in error.value.errors


def test_explanation_is_required_when_not_fair_and_balanced(session, attendee):
    with pytest.raises(FieldErrors) as error:
        _submit(session, attendee, answers_complete(**{"fair-balanced": "no"}))
    assert list(error.value.errors) == ["fair-balanced-explanation"]
    answers = answers_complete(
        **{"fair-balanced": "no", "fair-balanced-explanation": "Sales pitch"}
    )
    _submit(session, attendee, answers)


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        ("comments", "x" * 5001, "At most 5,000 characters (5,001 now)."),
        ("objective-1", 6, "Choose a value from 1 to 5."),
        ("instructional-level", "Boring", "Choose one of the options."),
        ("fair-balanced", "maybe", "Answer yes or no."),
    ],
)
def test_invalid_answers_are_refused_even_in_a_draft(session, attendee, question, value, message):
    with pytest.raises(FieldErrors) as error:
        _save(session, attendee, {question: value})
    assert error.value.errors == {question: message}


def test_free_text_at_the_cap_is_accepted(session, course, attendee):
    _save(session, attendee, {"comments": "é" * 5000})
    assert len(saved_answers(session, attendee.id, course.evaluation.questions)["comments"]) == 5000


def test_submitted_evaluation_is_read_only(session, attendee):
    assert not evaluation_submitted(session, attendee.id)
    _submit(session, attendee, answers_complete())
    assert evaluation_submitted(session, attendee.id)
    state = evaluation_state(session, attendee.id, now=AFTER + timedelta(days=1))
    assert state.state == "submitted" and "Submitted May 25, 2023." in state.message
    with pytest.raises(PortalError, match="already submitted"):
        _submit(session, attendee, answers_complete())
    with pytest.raises(PortalError, match="already submitted"):
        _save(session, attendee, {"objective-1": 1})
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_not_eligible_cannot_save_or_submit(session):
    offering = ended_offering(session)
    absent = enrollment_make(session, user_make(session), offering)
    with pytest.raises(PortalError, match="attended every session"):
        _save(session, absent, {"objective-1": 4})
    with pytest.raises(PortalError, match="opens when the last session ends"):
        _submit(session, attendee_make(session, offering), answers_complete(), now=ENDED[0][1])


def test_database_keeps_one_evaluation_per_enrollment(session, attendee):
    session.add(Evaluation(enrollment_id=attendee.id, offering_id=attendee.offering_id))
    session.flush()
    session.add(Evaluation(enrollment_id=attendee.id, offering_id=attendee.offering_id))
    with pytest.raises(IntegrityError):
        session.flush()


def test_concurrent_submits_leave_one_evaluation(factory, session):
    enrollment = attendee_make(session, ended_offering(session))
    session.commit()
    barrier, outcomes = threading.Barrier(4), []

    def submit(overall):
        barrier.wait()
        try:
            with transaction(factory) as own:
                _submit(own, enrollment, answers_complete(overall=overall))
            outcomes.append("ok")
        except PortalError as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=submit, args=(n,)) for n in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 1, outcomes
    assert all("already submitted" in o for o in outcomes if o != "ok")
    with factory() as check:
        rows = check.scalars(select(Evaluation)).all()
        assert [r.status for r in rows] == ["submitted"]


def test_concurrent_submits_release_whole_batches(factory, session):
    offering = ended_offering(session)
    enrollments = [attendee_make(session, offering) for _ in range(7)]
    session.add(EvaluationRelease(offering_id=offering.id, order_seed="s", released=0, batches=0))
    session.commit()
    barrier, failures = threading.Barrier(len(enrollments)), []

    def submit(enrollment):
        barrier.wait()
        try:
            with transaction(factory) as own:
                _submit(own, enrollment, answers_complete())
        except Exception as error:  # reported below, outside the thread
            failures.append(error)

    threads = [threading.Thread(target=submit, args=(e,)) for e in enrollments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    with factory() as check:
        batches = check.execute(
            select(Evaluation.release_batch, func.count()).group_by(Evaluation.release_batch)
        ).all()
        release = check.get(EvaluationRelease, offering.id)
        released = {batch: n for batch, n in batches if batch is not None}
        assert sorted(released) == [1, 2] and all(n == 3 for n in released.values())
        assert (release.released, release.batches) == (6, 2)
        assert dict(batches)[None] == 1  # the seventh waits for two more
