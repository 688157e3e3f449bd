"""A cancelled enrollment loses check-in, the evaluation, certificates and the materials,
while an active enrollment in the same offering and state keeps all four."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.attendance.checkin import attendance_code_submit
from portal.attendance.codes import current_code
from portal.certificates.services import certificate_claim
from portal.enrollment.cancellations import (
    cancellation_decide,
    cancellation_quote,
    cancellation_request,
)
from portal.enrollment.services import enrollment_is_active
from portal.errors import NotFound, PortalError
from portal.evaluation.services import evaluation_submit
from portal.learning.progress import course_outline, participant_courses, progress_mark
from portal.settings import settings_load
from tests.factories import user_make
from tests.factories_attendance import attendance_make, window_make
from tests.factories_certificates import issuer_make, participant_ready
from tests.factories_evaluation import AFTER, START, answers_complete, ended_offering


def _cancel(session, user, enrollment, admin) -> None:
    """The participant asks to cancel between the sessions; the CE office approves."""
    now = START + timedelta(days=2)
    quote = cancellation_quote(session, user_id=user.id, enrollment_id=enrollment.id, now=now)
    request = cancellation_request(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        statement="I cannot attend the second session.",
        expected_refund_cents=quote.refund_cents,
        now=now,
    )
    cancellation_decide(session=session, actor_id=admin.id, request_id=request.id, approve=True)
    session.flush()


def _check_in_and_out(session, user, live) -> list:
    """Type the 'in' code at the start and the 'out' code at the end of the session."""
    outcomes = []
    for kind, at in (("in", live.starts_at), ("out", live.ends_at - timedelta(minutes=5))):
        window = window_make(session, live, kind=kind, opens_at=at - timedelta(minutes=5))
        code = current_code(window, at).code
        outcomes.append(attendance_code_submit(session=session, user_id=user.id, code=code, now=at))
    return outcomes


def test_cancelled_enrollment_is_refused_by_every_capability(session, app_env):
    settings, issuer = settings_load(), issuer_make()
    offering = ended_offering(session)
    first, second = offering.sessions
    admin = user_make(session, role="admin")
    ana, ana_enrollment = participant_ready(session, offering, attended=False)
    ben, ben_enrollment = participant_ready(session, offering, attended=False)
    for enrollment in (ana_enrollment, ben_enrollment):
        attendance_make(session, enrollment, first)
    _cancel(session, ben, ben_enrollment, admin)
    assert enrollment_is_active(session, ana_enrollment.id, ana.id)
    assert not enrollment_is_active(session, ben_enrollment.id, ben.id)

    # check-in
    assert all(o.ok for o in _check_in_and_out(session, ana, second))
    refusals = _check_in_and_out(session, ben, second)
    assert not any(o.ok for o in refusals)
    assert "cancelled" in refusals[0].message
    attendance_make(session, ben_enrollment, second)  # even with full evidence on record

    # evaluation
    evaluation_submit(
        session=session,
        user_id=ana.id,
        enrollment_id=ana_enrollment.id,
        answers=answers_complete(),
        now=AFTER,
    )
    with pytest.raises(PortalError, match="cancelled"):
        evaluation_submit(
            session=session,
            user_id=ben.id,
            enrollment_id=ben_enrollment.id,
            answers=answers_complete(),
            now=AFTER,
        )

    # certificates
    def claim(user, enrollment):
        return certificate_claim(
            session=session,
            user_id=user.id,
            enrollment_id=enrollment.id,
            credit_type_id="BBS",
            issuer=issuer,
            now=AFTER + timedelta(minutes=1),
        )

    assert claim(ana, ana_enrollment).startswith("CE-")
    with pytest.raises(PortalError, match="active enrollment"):
        claim(ben, ben_enrollment)

    # materials
    def outline(user, enrollment):
        return course_outline(
            session, user.id, enrollment.id, settings.content_dir, settings.storage_dir, AFTER
        )

    assert outline(ana, ana_enrollment).access_open
    with pytest.raises(NotFound):
        outline(ben, ben_enrollment)
    key = outline(ana, ana_enrollment).items[0].key
    with pytest.raises(NotFound):
        progress_mark(
            session=session,
            user_id=ben.id,
            enrollment_id=ben_enrollment.id,
            item_key=key,
            done=True,
            content_dir=settings.content_dir,
            storage_dir=settings.storage_dir,
            now=AFTER,
        )
    assert participant_courses(session, ben.id) == []
    assert [c.enrollment_id for c in participant_courses(session, ana.id)] == [ana_enrollment.id]
