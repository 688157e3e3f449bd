from datetime import timedelta

import pytest

from portal.models import Offering, utc_now
from tests.apptest import app_as, texts
from tests.apptest import page_alone as page_as
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import attendance_full
from tests.factories_evaluation import answers_complete, submitted_make


def _past_offering(session, **fields):
    start = utc_now() - timedelta(weeks=1, hours=5)
    sessions = [(start, start + timedelta(hours=3))]
    sessions.append((start + timedelta(weeks=1), start + timedelta(weeks=1, hours=3)))
    return offering_make(session, sessions=sessions, **fields)


@pytest.fixture
def attendee(session, app_env):
    offering = _past_offering(session)
    user = user_make(session, full_name="Zoë Nguyễn")
    enrollment = enrollment_make(session, user, offering)
    attendance_full(session, enrollment, offering)
    session.commit()
    return user, enrollment


def _radio(at, key):
    return next(r for r in at.radio if r.key == key)


def test_participant_saves_a_draft_then_submits(attendee, session):
    user, enrollment = attendee
    at = app_as(user, "evaluation.py")
    assert not at.exception, at.exception
    assert "The evaluation is open" in texts(at)
    assert "Your answers are anonymous" in texts(at)
    prefix = f"evaluation_{enrollment.id}_"
    _radio(at, prefix + "objective-1").set_value(5)
    at.text_area(key=prefix + "comments").set_value("<b>bold?</b> **no** 🙂")
    at.run()
    assert "Draft saved" in texts(at)
    # Another device: a fresh session shows the draft.
    again = app_as(user, "evaluation.py")
    assert _radio(again, prefix + "objective-1").value == 5
    assert again.text_area(key=prefix + "comments").value == "<b>bold?</b> **no** 🙂"
    again.button(key="evaluation_submit").click().run()
    assert "This question needs an answer" in texts(again)
    for question, value in answers_complete().items():
        if question == "practice-change":
            again.multiselect(key=prefix + question).set_value(value)
        elif question == "practice-change-detail":
            again.text_area(key=prefix + question).set_value(value)
        else:
            _radio(again, prefix + question).set_value(value)
    again.run()
    again.button(key="evaluation_submit").click().run()
    assert not again.exception, again.exception
    page = texts(again)
    assert "your evaluation was submitted" in page and "Submitted" in page
    assert "Submit evaluation" not in [b.label for b in again.button]
    assert "<b>bold?</b> **no** 🙂" in [t.value for t in again.text]


def test_participant_is_told_why_it_is_closed(session, app_env):
    offering = offering_make(session)  # first session live now
    user = user_make(session)
    enrollment_make(session, user, offering)
    session.commit()
    at = app_as(user, "evaluation.py")
    assert "opens when the last session ends" in texts(at)
    assert not at.radio
    home = app_as(user, "participant_home.py")
    assert "Course evaluation" in texts(home)


def test_the_page_opens_on_the_evaluation_that_can_be_answered(attendee, session):
    user, _ = attendee
    enrollment_make(session, user, offering_make(session, label="Live now"))  # newer, waiting
    session.commit()
    at = app_as(user, "evaluation.py")
    assert not at.exception
    assert "The evaluation is open" in texts(at)
    assert at.radio


@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_evaluation_page_refuses_other_roles(session, app_env, role):
    user = user_make(session, role=role)
    session.commit()
    assert "This page is not available to your role." in texts(page_as(user, "evaluation.py"))


def test_review_refuses_participants(attendee):
    user, _ = attendee
    assert "This page is not available to your role." in texts(
        page_as(user, "evaluation_review.py")
    )


def test_review_as_instructor_is_anonymous(session, app_env):
    instructor = user_make(session, role="instructor", username="teacher", full_name="Ira Teacher")
    offering = _past_offering(session, instructors=[instructor])
    for text in ("Wonderful", "Too short", "More practice please"):
        submitted_make(session, offering, comments=text, now=None)
    other = user_make(session, role="instructor")
    session.commit()
    at = app_as(instructor, "evaluation_review.py")
    assert not at.exception, at.exception
    page = texts(at)
    assert "Learning objectives" in page and "Not submitted yet" not in page
    comments = at.dataframe[-1].value
    assert {"Wonderful", "Too short", "More practice please"} <= set(comments["Comment"])
    assert "Author" not in comments.columns and "Pat Participant" not in page
    assert "All responses (CSV)" in [b.label for b in at.get("download_button")]
    at.selectbox(key="review_group").set_value(("profession", "rn")).run()
    assert "once the evaluation has closed" in texts(at)
    assert "not assigned" in texts(app_as(other, "evaluation_review.py"))


def test_review_as_admin_lists_who_has_not_submitted(session, app_env):
    admin = user_make(session, role="admin")
    offering = _past_offering(session)
    submitted_make(session, offering, now=None)
    waiting = user_make(session, full_name="Rosa Díaz")
    enrollment = enrollment_make(session, waiting, offering)
    attendance_full(session, enrollment, offering)
    session.commit()
    at = app_as(admin, "evaluation_review.py")
    choice = at.selectbox(key="review_offering")
    choice.select_index(next(i for i, o in enumerate(choice.options) if offering.label in o)).run()
    assert not at.exception, at.exception
    page = texts(at)
    assert "Results are hidden for groups of fewer than 3" in page
    assert "Not submitted yet" in page
    assert list(at.dataframe[-1].value["Name"]) == ["Rosa Díaz"]
    # A single response leaves in no export, not even the CE office's.
    labels = [b.label for b in at.get("download_button")]
    assert "All responses (CSV)" not in labels and "All responses (XLSX)" not in labels
    assert "Response exports need at least 3 responses." in page


def test_admin_sets_names_visible_and_participants_are_told(attendee, session):
    user, enrollment = attendee
    admin = user_make(session, role="admin")
    session.commit()
    assert "Your answers are anonymous" in texts(app_as(user, "evaluation.py"))
    label = session.get(Offering, enrollment.offering_id).label
    session.commit()  # end the read: the page writes
    at = app_as(admin, "evaluation_review.py")
    choice = at.selectbox(key="review_offering")
    choice.select_index(next(i for i, o in enumerate(choice.options) if label in o)).run()
    at.toggle(key="review_names_visible").set_value(True).run()
    assert not at.exception, at.exception
    assert "Names are visible to the CE office" in texts(at)
    offering = session.get(Offering, enrollment.offering_id)
    session.refresh(offering)
    assert offering.evaluation_names_visible
    session.commit()
    assert "sees your name with your answers" in texts(app_as(user, "evaluation.py"))


def test_checklist_section_is_registered():
    from portal.evaluation.eligibility import evaluation_section
    from portal.learning.checklist import SECTIONS

    assert evaluation_section in SECTIONS


def test_draft_survives_a_load_interrupted_by_a_rerun(attendee, session):
    """A rerun that arrives while the page loads leaves the widgets' keys in the session,
    registered empty, before the draft was put into them: the draft must still come back,
    and nothing blank may be saved over it."""
    from portal.courses.content import course_get
    from portal.evaluation.participant import saved_answers
    from portal.evaluation.services import evaluation_draft_save
    from portal.settings import settings_load

    user, enrollment = attendee
    draft = {"objective-1": 5, "overall": 4, "practice-change": [], "comments": "Kind words"}
    draft["practice-change"] = ["Teach the gratitude and appreciation practice"]
    evaluation_draft_save(
        session=session, user_id=user.id, enrollment_id=enrollment.id, answers=draft
    )
    session.commit()
    questions = course_get(settings_load().content_dir, "fostering-compassion-in-couples")
    questions = questions.evaluation.questions
    at = app_as(user)
    prefix = f"evaluation_{enrollment.id}_"
    for question in questions:  # as the interrupted run left them: registered, empty
        empty = [] if question.type == "multiple_choice" else None
        at.session_state[prefix + question.id] = "" if question.type == "free_text" else empty
    at.switch_page("pages/evaluation.py")
    at.run()
    assert not at.exception, at.exception
    assert _radio(at, prefix + "objective-1").value == 5
    assert _radio(at, prefix + "overall").value == 4
    assert at.text_area(key=prefix + "comments").value == "Kind words"
    assert at.multiselect(key=prefix + "practice-change").value == draft["practice-change"]
    session.expire_all()
    stored = saved_answers(session, enrollment.id, questions)
    assert {k: stored[k] for k in draft} == draft
    session.rollback()  # end the read, as the page writes next
    at.run()  # and the next run (as a component's answer asks for) keeps them too
    assert _radio(at, prefix + "objective-1").value == 5
    session.expire_all()
    assert saved_answers(session, enrollment.id, questions)["comments"] == "Kind words"


def test_a_run_never_pushes_an_empty_answer_over_the_browsers(attendee, session):
    """Every run sends the answers it knows to the browser again (to mend a widget drawn by
    a cut-short run). A run that started before the person's latest click knows that question
    as unanswered: were the empty answer sent, the browser would uncheck the click, and the
    next click's rerun would carry the emptied question (seen on a loaded machine: an answer
    given a moment before came back blank at Submit)."""
    user, enrollment = attendee
    prefix = f"evaluation_{enrollment.id}_"
    at = app_as(user, "evaluation.py")
    _radio(at, prefix + "objective-1").set_value(5)
    at.run()  # loaded, and objective 1 is answered and saved
    assert "Draft saved" in texts(at)
    at.run()  # a run asked for before the click on objective 2 reached the server
    assert not at.exception, at.exception
    answered, unanswered = _radio(at, prefix + "objective-1"), _radio(at, prefix + "objective-2")
    assert answered.proto.set_value and answered.value == 5  # what it knows, sent again
    assert not unanswered.proto.set_value  # the browser's own choice stands
    comments = at.text_area(key=prefix + "comments")
    assert not comments.proto.set_value
