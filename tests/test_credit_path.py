"""The whole path to credit across capabilities: attendance, then the evaluation, then the
certificate — with the real evaluation, not a stand-in."""

from datetime import timedelta

import pytest

from portal.certificates.eligibility import claims_for
from portal.certificates.services import certificate_claim
from portal.errors import PortalError
from portal.evaluation.services import evaluation_submit
from tests.factories_certificates import issuer_make, participant_ready
from tests.factories_evaluation import AFTER, answers_complete, ended_offering


def test_a_certificate_needs_the_real_evaluation_submitted(session):
    offering = ended_offering(session)
    user, enrollment = participant_ready(session, offering)
    issuer = issuer_make()
    with pytest.raises(PortalError):
        certificate_claim(
            session=session,
            user_id=user.id,
            enrollment_id=enrollment.id,
            credit_type_id="BBS",
            issuer=issuer,
            now=AFTER,
        )
    evaluation_submit(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        answers=answers_complete(),
        now=AFTER,
    )
    number = certificate_claim(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        credit_type_id="BBS",
        issuer=issuer,
        now=AFTER + timedelta(minutes=1),
    )
    assert number.startswith("CE-")


def test_missing_a_session_closes_both_the_evaluation_and_the_certificate(session):
    offering = ended_offering(session)
    user, enrollment = participant_ready(session, offering, attended=False)
    with pytest.raises(PortalError):
        evaluation_submit(
            session=session,
            user_id=user.id,
            enrollment_id=enrollment.id,
            answers=answers_complete(),
            now=AFTER,
        )
    [claim] = claims_for(session, enrollment.id, content_dir=issuer_make().content_dir)
    assert not claim.eligible
