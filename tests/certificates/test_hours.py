"""Hours are honest: a session counts only when at most the credit type's tolerance is
missed of it (late, early and gaps together), so printed hours never exceed attended time
by more than that tolerance per session; rosters credit 0 where credit is not earned."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.attendance.roster import roster_of
from portal.certificates.eligibility import claims_for
from portal.certificates.services import certificate_claim
from portal.courses.content import course_get
from portal.errors import PortalError
from tests.factories_attendance import attendance_make
from tests.factories_certificates import (
    evaluation_set,
    issuer_make,
    participant_ready,
    workshop_offering,
)
from tests.factories_evaluation import AFTER

CONTENT = issuer_make().content_dir
M = timedelta(minutes=1)
NURSE = [("rn", "RN 654321", "CA")]
PSYCHOLOGIST = [("psychologist", "PSY 12345", "CA")]


def _attended(session, licenses, late, early):
    """A participant late and leaving early by these minutes at each session."""
    offering = workshop_offering(session)
    user, enrollment = participant_ready(session, offering, licenses=licenses, attended=False)
    for live in offering.sessions:
        attendance_make(
            session,
            enrollment,
            live,
            checked_in_at=live.starts_at + late * M,
            checked_out_at=live.ends_at - early * M,
        )
    return user, enrollment


def test_the_nurse_who_missed_60_of_360_minutes_gets_no_brn_certificate(session, monkeypatch):
    evaluation_set(monkeypatch, True)
    user, enrollment = _attended(session, NURSE, late=15, early=15)  # 30 a session, 60 in all
    [claim] = claims_for(session, enrollment.id, content_dir=CONTENT)
    assert claim.credit_type_id == "BRN" and not claim.eligible
    with pytest.raises(PortalError, match="attend the live sessions"):
        certificate_claim(
            session=session, user_id=user.id, enrollment_id=enrollment.id,
            credit_type_id="BRN", issuer=issuer_make(), now=AFTER,
        )  # fmt: skip


@pytest.mark.parametrize("licenses", [NURSE, PSYCHOLOGIST], ids=["BRN", "APA"])
@pytest.mark.parametrize(("late", "early"), [(0, 0), (2, 3), (5, 0), (0, 6), (3, 3), (15, 15)])
def test_printed_hours_never_exceed_attended_time_by_more_than_the_tolerance(
    session, monkeypatch, licenses, late, early
):
    evaluation_set(monkeypatch, True)
    _user, enrollment = _attended(session, licenses, late, early)
    [claim] = claims_for(session, enrollment.id, content_dir=CONTENT)
    credit_type = course_get(CONTENT, "fostering-compassion-in-couples").credit_type(
        claim.credit_type_id
    )
    tolerance = credit_type.max_missed_minutes_per_session
    attended = 360 - 2 * (late + early)
    assert claim.eligible == (late + early <= tolerance)
    if claim.eligible:
        printed = float(claim.hours) * credit_type.minutes_per_unit
        assert printed - attended <= 2 * tolerance  # the stated tolerance, per session
    if claim.credit_type_id == "BRN" and claim.eligible:
        assert float(claim.hours) * 50 <= attended  # 7.0 contact hours = 350 minutes


def test_the_roster_credits_nothing_where_credit_is_not_earned(session):
    _user, short = _attended(session, NURSE, late=15, early=15)  # attended 300 of 360
    [row] = roster_of(session, short.offering_id).rows
    assert row.credited_minutes == 0 and row.status == "partial"
    assert [s.minutes_attended for s in row.sessions] == [150, 150]
