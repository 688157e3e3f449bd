"""'Your certificate is ready' is queued with every issue and reissue, in the same transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.certificates.reissue_requests import (
    certificate_reissue_request,
    reissue_request_decide,
)
from portal.certificates.services import (
    certificate_claim,
    certificate_get,
    certificate_reissue,
    certificate_revoke,
)
from portal.errors import PortalError
from portal.evaluation.services import evaluation_submit
from portal.models import Certificate, OutboxMessage
from tests.factories import user_make
from tests.factories_certificates import issuer_make, participant_ready
from tests.factories_evaluation import AFTER, answers_complete, ended_offering


def _ready(session, *, evaluated: bool = True):
    offering = ended_offering(session)
    user, enrollment = participant_ready(session, offering, full_name="Ana López")
    if evaluated:
        evaluation_submit(
            session=session,
            user_id=user.id,
            enrollment_id=enrollment.id,
            answers=answers_complete(),
            now=AFTER,
        )
    return user, enrollment


def _claim(session, user, enrollment) -> str:
    return certificate_claim(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        credit_type_id="BBS",
        issuer=issuer_make(),
        now=AFTER + timedelta(minutes=1),
    )


def _mails(session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _certificate_id(session, number: str) -> int:
    return session.scalar(select(Certificate.id).where(Certificate.number == number))


def test_first_issue_queues_one_mail_and_a_double_click_no_second(session):
    user, enrollment = _ready(session)
    number = _claim(session, user, enrollment)
    assert _claim(session, user, enrollment) == number
    [mail] = _mails(session)
    assert (mail.kind, mail.to_address, mail.user_id) == ("certificate", user.email, user.id)
    assert mail.subject == "Your certificate: Fostering Compassion in Couples"
    assert "Dear Ana López" in mail.body and "https://ce.example.org/certificates" in mail.body
    assert mail.status == "pending"


def test_a_refused_claim_queues_nothing(session):
    user, enrollment = _ready(session, evaluated=False)
    with pytest.raises(PortalError):
        _claim(session, user, enrollment)
    assert _mails(session) == []


def test_reissue_and_an_approved_request_queue_a_mail_revoke_does_not(session):
    user, enrollment = _ready(session)
    admin = user_make(session, role="admin")
    first = _claim(session, user, enrollment)
    second = certificate_reissue(
        session=session,
        certificate_id=_certificate_id(session, first),
        actor_id=admin.id,
        reason="name spelling",
        issuer=issuer_make(),
    )
    request_id = certificate_reissue_request(
        session=session,
        user_id=user.id,
        certificate_id=_certificate_id(session, second),
        reason="license changed",
    )
    third = reissue_request_decide(
        session=session,
        request_id=request_id,
        actor_id=admin.id,
        approve=True,
        issuer=issuer_make(),
    )
    assert third is not None
    certificate_revoke(
        session=session,
        certificate_id=_certificate_id(session, third),
        actor_id=admin.id,
        reason="issued in error",
    )
    mails = _mails(session)
    assert [m.kind for m in mails] == ["certificate"] * 3
    assert {m.to_address for m in mails} == {user.email}
    assert certificate_get(session, _certificate_id(session, third)).status == "revoked"


def test_the_mail_goes_with_the_transaction_that_issued(session):
    user, enrollment = _ready(session)
    session.commit()
    _claim(session, user, enrollment)
    assert len(_mails(session)) == 1
    session.rollback()  # the issue failed to commit: neither certificate nor mail remain
    assert session.scalar(select(func.count()).select_from(Certificate)) == 0
    assert _mails(session) == []
    _claim(session, user, enrollment)
    session.commit()
    assert len(_mails(session)) == 1
