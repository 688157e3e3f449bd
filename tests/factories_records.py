"""Factory for records and purge tests: an ended offering with data in every capability."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.attendance.corrections import attendance_mark, correction_request
from portal.certificates.reissue_requests import certificate_reissue_request
from portal.certificates.services import certificate_claim, certificate_reissue
from portal.evaluation.services import evaluation_submit
from portal.models import Certificate, Offering, User
from tests.factories import enrollment_make, user_make
from tests.factories_attendance import attendance_make
from tests.factories_certificates import issuer_make, participant_ready
from tests.factories_evaluation import AFTER, answers_complete, ended_offering


def offering_with_everything(
    session: Session,
) -> tuple[Offering, User, User, tuple[str, str]]:
    """Ana attended, evaluated and holds a reissued BBS certificate (and asks for another
    reissue); Ben left session 2 early, the CE office marked his session 1, and he asks
    for a correction of session 2."""
    offering = ended_offering(session)
    admin = user_make(session, role="admin", full_name="Dana Admin")
    ana, ana_enrollment = participant_ready(
        session, offering, full_name="Ana López", licenses=[("lmft", "LMFT 4242", "CA")]
    )
    evaluation_submit(
        session=session,
        user_id=ana.id,
        enrollment_id=ana_enrollment.id,
        answers=answers_complete(**{"practice-change-detail": "Secret answer text."}),
        now=AFTER,
    )
    issuer = issuer_make()
    first = certificate_claim(
        session=session,
        user_id=ana.id,
        enrollment_id=ana_enrollment.id,
        credit_type_id="BBS",
        issuer=issuer,
        now=AFTER + timedelta(minutes=1),
    )
    old = session.scalars(select(Certificate).where(Certificate.number == first)).one()
    second = certificate_reissue(
        session=session,
        certificate_id=old.id,
        actor_id=admin.id,
        reason="name spelling",
        issuer=issuer,
        now=AFTER + timedelta(minutes=2),
    )
    ben = user_make(session, full_name="Ben Ortiz", license_number="ASW 777")
    ben_enrollment = enrollment_make(session, ben, offering)
    s1, s2 = offering.sessions
    attendance_make(session, ben_enrollment, s2, checked_out_at=s2.ends_at - timedelta(hours=1))
    attendance_mark(
        session=session,
        actor_id=admin.id,
        enrollment_id=ben_enrollment.id,
        live_session_id=s1.id,
        checked_in_at=s1.starts_at,
        checked_out_at=s1.ends_at,
        reason="joined by phone",
        now=AFTER,
    )
    correction_request(
        session=session,
        user_id=ben.id,
        enrollment_id=ben_enrollment.id,
        live_session_id=s2.id,
        note="I was there to the end",
        now=AFTER,
    )
    current = session.scalars(select(Certificate).where(Certificate.number == second)).one()
    certificate_reissue_request(
        session=session, user_id=ana.id, certificate_id=current.id, reason="license changed"
    )
    session.flush()
    return offering, admin, ana, (first, second)
