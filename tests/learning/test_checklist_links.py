"""Every link of the participant's checklist and of a certificate's missing steps opens a
real participant page: a file in pages/ that portal.navigation.PAGES lists for participants."""

from __future__ import annotations

from datetime import timedelta

from portal import PROJECT_ROOT
from portal.certificates.eligibility import claims_for
from portal.certificates.services import certificate_claim
from portal.evaluation.services import evaluation_submit
from portal.learning.checklist import checklist_for
from portal.navigation import PAGES
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_certificates import issuer_make, participant_ready
from tests.factories_evaluation import AFTER, answers_complete, ended_offering

PARTICIPANT_PAGES = {f"pages/{p.script}" for p in PAGES if "participant" in p.roles}


def _enrollments_in_every_state(session):
    """Live now and unpaid; ended and absent; ended with the evaluation open; evaluated with
    a certificate; cancelled; a BRN nurse with no license number."""
    live = enrollment_make(session, user_make(session), offering_make(session))
    ended = ended_offering(session)
    _, absent = participant_ready(session, ended, attended=False)
    _, open_evaluation = participant_ready(session, ended)
    user, certified = participant_ready(session, ended)
    evaluation_submit(
        session=session,
        user_id=user.id,
        enrollment_id=certified.id,
        answers=answers_complete(),
        now=AFTER,
    )
    certificate_claim(
        session=session,
        user_id=user.id,
        enrollment_id=certified.id,
        credit_type_id="BBS",
        issuer=issuer_make(),
        now=AFTER + timedelta(minutes=1),
    )
    _, cancelled = participant_ready(session, ended)
    cancelled.status = "cancelled"
    _, nurse = participant_ready(session, ended, licenses=[("rn", None, "CA")], attended=False)
    session.flush()
    return [live, absent, open_evaluation, certified, cancelled, nurse]


def test_every_checklist_item_and_certificate_step_links_to_a_participant_page(session, app_env):
    linked = set()
    for enrollment in _enrollments_in_every_state(session):
        for item in checklist_for(session, enrollment.id):
            if item.page is not None:
                linked.add(item.page)
        for claim in claims_for(session, enrollment.id, content_dir=issuer_make().content_dir):
            for step in claim.steps:
                assert step.page is not None, (claim.credit_type_id, step.key)
                linked.add(step.page)
    for page in linked:
        assert (PROJECT_ROOT / page).is_file(), page
        assert page in PARTICIPANT_PAGES, page
    expected = {
        "pages/enroll.py",
        "pages/course.py",
        "pages/check_in.py",
        "pages/evaluation.py",
        "pages/certificates.py",
        "pages/profile.py",
        "pages/participant_home.py",
    }
    assert expected <= linked


def test_missing_attendance_and_evaluation_steps_link_to_their_pages(session, app_env):
    _, enrollment = participant_ready(session, ended_offering(session), attended=False)
    [claim] = claims_for(session, enrollment.id, content_dir=issuer_make().content_dir)
    missing = {step.key: step.page for step in claim.missing}
    assert missing == {"attendance": "pages/check_in.py", "evaluation": "pages/evaluation.py"}


def test_every_menu_entry_is_a_page_file_listed_once():
    scripts = [p.script for p in PAGES]
    assert len(scripts) == len(set(scripts))
    for script in scripts:
        assert (PROJECT_ROOT / "pages" / script).is_file(), script


def test_checklist_links_name_the_page_they_open(session, app_env):
    titles = {f"pages/{p.script}": p.title for p in PAGES}
    labels = set()
    for enrollment in _enrollments_in_every_state(session):
        for item in checklist_for(session, enrollment.id):
            if item.page is not None:
                assert item.link_label == f"Open {titles[item.page]}"
                labels.add(item.link_label)
    assert "Open Check in" in labels and "Open Certificates" in labels
