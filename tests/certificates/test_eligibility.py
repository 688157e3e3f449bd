from datetime import timedelta

import pytest

from portal import PROJECT_ROOT
from portal.certificates import eligibility
from portal.certificates.eligibility import claims_for
from portal.certificates.progress import certificate_checklist
from portal.certificates.services import certificate_claim
from portal.models import utc_now
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import attendance_make
from tests.factories_certificates import (
    evaluation_set,
    issuer_make,
    participant_ready,
    workshop_offering,
)

CONTENT = PROJECT_ROOT / "content"


def _claims(session, enrollment):
    return {c.credit_type_id: c for c in claims_for(session, enrollment.id, content_dir=CONTENT)}


def _missing(claim):
    return [step.key for step in claim.missing]


@pytest.mark.parametrize(
    ("licenses", "expected"),
    [
        ([("psychologist", "PSY 1", "CA")], ["APA"]),
        ([("lmft", "LMFT 1", "CA")], ["BBS"]),
        ([("lmft", "LMFT 1", "NY")], ["ATTENDANCE"]),  # BBS is for California licenses
        ([("rn", "RN 1", "NV")], ["BRN"]),
        ([("lcsw", "LCSW 1", "CA"), ("rn", "RN 1", "CA")], ["BBS", "BRN"]),
        ([("other", None, None)], ["ATTENDANCE"]),
        ([], ["ATTENDANCE"]),
    ],
)
def test_credit_types_come_from_the_licenses(session, licenses, expected):
    _, enrollment = participant_ready(session, licenses=licenses)
    assert sorted(_claims(session, enrollment)) == expected


def test_everything_done_is_eligible_with_derived_hours(session, monkeypatch):
    evaluation_set(monkeypatch, True)
    _, enrollment = participant_ready(
        session, licenses=[("lcsw", "LCSW 1", "CA"), ("rn", "654321", "CA")]
    )
    claims = _claims(session, enrollment)
    assert claims["BBS"].eligible and claims["BRN"].eligible
    assert (claims["BBS"].hours, claims["BRN"].hours) == ("6.0", "7.0")
    assert claims["BRN"].license == "RN 654321 (CA)"


def test_evaluation_not_submitted_is_missing(session, monkeypatch):
    evaluation_set(monkeypatch, False)
    _, enrollment = participant_ready(session, licenses=[("psychologist", "1", "CA")])
    assert _missing(_claims(session, enrollment)["APA"]) == ["evaluation"]


def test_without_the_evaluation_package_nothing_counts_as_submitted(session):
    # The adapter imports portal.evaluation.queries lazily; absent, it answers False.
    _, enrollment = participant_ready(session)
    assert eligibility._evaluation_submitted(session, enrollment.id) is False


def test_partial_attendance_gives_no_credit(session, monkeypatch):
    evaluation_set(monkeypatch, True)
    offering = workshop_offering(session)
    _, enrollment = participant_ready(
        session, offering, licenses=[("rn", "654321", "CA")], attended=False
    )
    attendance_make(session, enrollment, offering.sessions[0])
    claim = _claims(session, enrollment)["BRN"]
    assert _missing(claim) == ["attendance"]
    step = claim.missing[0]
    assert "Attended 1 of 2 sessions in full" in step.detail and "no partial credit" in step.detail


def test_cancelled_enrollment_is_refused(session, monkeypatch):
    evaluation_set(monkeypatch, True)
    _, enrollment = participant_ready(session, licenses=[("psychologist", "1", "CA")])
    enrollment.status = "cancelled"
    session.flush()
    # cancelled: attendance no longer meets the rule either (attendance status decides)
    assert _missing(_claims(session, enrollment)["APA"]) == ["enrollment", "attendance"]


def test_nurse_needs_an_rn_license_number_on_the_profile(session, monkeypatch):
    evaluation_set(monkeypatch, True)
    _, enrollment = participant_ready(session, licenses=[("rn", None, "CA")])
    claim = _claims(session, enrollment)["BRN"]
    assert _missing(claim) == ["license"]
    assert claim.missing[0].page == "pages/profile.py"


def test_apa_needs_no_license_number(session, monkeypatch):
    evaluation_set(monkeypatch, True)
    _, enrollment = participant_ready(session, licenses=[("psychologist", None, None)])
    claim = _claims(session, enrollment)["APA"]
    assert claim.eligible and "license" not in [s.key for s in claim.steps]


def test_steps_link_only_to_pages_the_portal_has(session):
    _, enrollment = participant_ready(session, licenses=[("rn", None, "CA")], attended=False)
    pages = {step.key: step.page for step in _claims(session, enrollment)["BRN"].steps}
    assert pages["license"] == "pages/profile.py"
    assert pages["attendance"] == "pages/check_in.py"
    assert pages["evaluation"] == "pages/evaluation.py"
    for page in pages.values():
        assert page is not None and (PROJECT_ROOT / page).exists()


def test_home_checklist_states(session, monkeypatch):
    evaluation_set(monkeypatch, False)
    user, enrollment = participant_ready(session, licenses=[("rn", "1", "CA")])
    [item] = certificate_checklist(session, enrollment.id)
    assert (item.status, item.page) == ("waiting", "pages/certificates.py")
    assert "submit the evaluation" in item.detail
    evaluation_set(monkeypatch, True)
    [item] = certificate_checklist(session, enrollment.id)
    assert item.status == "todo"
    number = certificate_claim(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        credit_type_id="BRN",
        issuer=issuer_make(),
    )
    [item] = certificate_checklist(session, enrollment.id)
    assert item.status == "done" and number in item.detail


def test_attendance_rules_skip_inactive_and_finished_enrollments_oldest_first(session, course):
    """attendance_rules is given every enrollment (Home passes them all): only active ones
    with sessions ahead get a rule, in the order the person enrolled."""
    person = user_make(session)
    past = utc_now() - timedelta(weeks=2)
    plan = [
        ("First", "active", None),
        ("Cancelled", "cancelled", None),
        ("Over", "active", [(past, past + timedelta(hours=3))]),
        ("Second", "active", None),
    ]
    enrolled = []
    for label, status, sessions in plan:
        offering = offering_make(session, label=label, sessions=sessions)
        enrolled.append(
            (enrollment_make(session, person, offering, status=status), offering, course)
        )
    rules = eligibility.attendance_rules(reversed(enrolled), list(person.licenses), utc_now())
    assert [rule.offering_label for rule in rules] == ["First", "Second"]
