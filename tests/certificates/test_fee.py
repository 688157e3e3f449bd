"""A certificate needs the fee paid unless the offering says otherwise or the CE office
waives it with a reason; the checklist shows the step."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.certificates.eligibility import claims_for
from portal.certificates.services import certificate_claim
from portal.enrollment.payments import fee_waive
from portal.errors import FieldErrors, NotAllowed, PortalError
from portal.models import AuditEvent, Certificate, utc_now
from tests.factories import user_make
from tests.factories_certificates import (
    evaluation_set,
    issuer_make,
    participant_ready,
    workshop_offering,
)
from tests.factories_evaluation import AFTER

CONTENT = issuer_make().content_dir


def _claim(session, user, enrollment):
    return certificate_claim(
        session=session, user_id=user.id, enrollment_id=enrollment.id, credit_type_id="BBS",
        issuer=issuer_make(), now=AFTER,
    )  # fmt: skip


def _payment_step(session, enrollment):
    [claim] = claims_for(session, enrollment.id, content_dir=CONTENT)
    return next(s for s in claim.steps if s.key == "payment")


def test_an_unpaid_fee_refuses_the_certificate_and_the_checklist_says_so(session, monkeypatch):
    evaluation_set(monkeypatch, True)
    user, enrollment = participant_ready(session, paid=False)
    step = _payment_step(session, enrollment)
    assert not step.done and "You owe $225.00" in step.detail and step.page == "pages/enroll.py"
    with pytest.raises(PortalError, match="Still missing: pay the registration fee"):
        _claim(session, user, enrollment)
    assert session.scalar(select(Certificate.id)) is None


def test_an_offering_may_issue_certificates_without_payment(session, monkeypatch):
    evaluation_set(monkeypatch, True)
    offering = workshop_offering(session)
    offering.certificate_requires_payment = False
    user, enrollment = participant_ready(session, offering, paid=False)
    assert _payment_step(session, enrollment).done
    assert _claim(session, user, enrollment)


def test_a_waiver_needs_an_admin_and_a_reason_and_is_audited(session, monkeypatch):
    evaluation_set(monkeypatch, True)
    user, enrollment = participant_ready(session, paid=False)
    admin, instructor = user_make(session, role="admin"), user_make(session, role="instructor")
    waive = {"session": session, "enrollment_id": enrollment.id, "now": utc_now()}
    with pytest.raises(NotAllowed):
        fee_waive(actor_id=instructor.id, reason="scholarship", **waive)
    with pytest.raises(FieldErrors) as error:
        fee_waive(actor_id=admin.id, reason="  ", **waive)
    assert "reason" in error.value.errors
    fee_waive(actor_id=admin.id, reason="Scholarship from the sponsor", **waive)
    with pytest.raises(FieldErrors, match="already waived"):
        fee_waive(actor_id=admin.id, reason="again", **waive)
    assert _payment_step(session, enrollment).done
    assert _claim(session, user, enrollment)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "payment.waive")).one()
    assert event.reason == "Scholarship from the sponsor" and event.details["owed_cents"] == 22500
