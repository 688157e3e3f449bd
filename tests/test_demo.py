from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal import PROJECT_ROOT
from portal.accounts.passwords import password_matches
from portal.attendance.checkin import attendance_code_submit
from portal.attendance.codes import current_code
from portal.attendance.status import attendance_summary
from portal.certificates.eligibility import claims_for
from portal.demo import demo_seed
from portal.evaluation.eligibility import evaluation_state
from portal.learning.home import participant_enrollments
from portal.models import Offering, OfferingInstructor, User
from tests.factories_attendance import window_make

NOW = datetime(2026, 11, 25, 18, 7, tzinfo=UTC)


def test_demo_seed_makes_three_accounts_whose_password_is_the_username(session, courses):
    demo_seed(session=session, courses=courses, now=NOW)
    users = {u.username: u for u in session.scalars(select(User))}
    assert {u: users[u].role for u in users} == {
        "demo-admin": "admin",
        "demo-instructor": "instructor",
        "demo-participant": "participant",
    }
    assert all(password_matches(name, user.password_hash) for name, user in users.items())


def test_the_demo_offering_is_live_now_and_meets_again_a_week_later(session, courses):
    demo_seed(session=session, courses=courses, now=NOW)
    demo = session.scalar(select(Offering).where(Offering.slug == "demo"))
    first, second = demo.sessions
    assert first.starts_at <= NOW < first.ends_at
    assert second.starts_at - first.starts_at == timedelta(weeks=1)


def test_the_real_offering_meets_at_9am_pacific_on_may_18_and_25_2023(session, courses):
    demo_seed(session=session, courses=courses, now=NOW)
    real = session.scalar(select(Offering).where(Offering.slug == "2023-05"))
    assert [s.starts_at for s in real.sessions] == [
        datetime(2023, 5, 18, 16, 0, tzinfo=UTC),
        datetime(2023, 5, 25, 16, 0, tzinfo=UTC),
    ]
    assert (real.fee_cents, real.early_fee_cents, real.deposit_cents) == (22500, 20500, 3000)


def test_the_participant_is_enrolled_in_both_demo_offerings_and_the_instructor_runs_all(
    session, courses
):
    demo_seed(session=session, courses=courses, now=NOW)
    participant = session.scalar(select(User).where(User.username == "demo-participant"))
    enrollments = participant_enrollments(session, participant.id)
    assert [e.offering.slug for e in enrollments] == ["demo", "demo-finished"]
    assert session.query(OfferingInstructor).count() == 3


def _participant_enrollment(session, slug: str) -> int:
    participant = session.scalar(select(User).where(User.username == "demo-participant"))
    return next(
        e.id for e in participant_enrollments(session, participant.id) if e.offering.slug == slug
    )


def test_the_live_demo_session_starts_when_seeded_so_checking_in_right_away_is_on_time(
    session, courses
):
    demo_seed(session=session, courses=courses, now=NOW)
    demo = session.scalar(select(Offering).where(Offering.slug == "demo"))
    assert demo.sessions[0].starts_at == NOW.replace(second=0)
    at = NOW + timedelta(minutes=3)
    window = window_make(session, demo.sessions[0], opens_at=at)
    participant = session.scalar(select(User).where(User.username == "demo-participant"))
    outcome = attendance_code_submit(
        session=session, user_id=participant.id, code=current_code(window, at).code, now=at
    )
    assert outcome.ok and outcome.message == "You checked in to Session 1."


def test_seeding_again_while_the_demo_session_is_live_keeps_its_times(session, courses):
    demo_seed(session=session, courses=courses, now=NOW)
    demo_seed(session=session, courses=courses, now=NOW + timedelta(minutes=2))
    demo = session.scalar(select(Offering).where(Offering.slug == "demo"))
    assert demo.sessions[0].starts_at == NOW.replace(second=0)


def test_the_finished_demo_offering_has_an_open_evaluation_and_a_certificate_to_claim(
    session, courses
):
    demo_seed(session=session, courses=courses, now=NOW)
    enrollment_id = _participant_enrollment(session, "demo-finished")
    summary = attendance_summary(session, enrollment_id)
    assert [s.status for s in summary.sessions] == ["present", "present"]
    assert all(s.ends_at < NOW for s in summary.sessions)
    assert evaluation_state(session, enrollment_id, NOW).state == "open"
    [claim] = claims_for(session, enrollment_id, content_dir=PROJECT_ROOT / "content")
    assert claim.credit_type_id == "BBS"
    assert [step.key for step in claim.missing] == ["evaluation"]
    finished = session.scalar(select(Offering).where(Offering.slug == "demo-finished"))
    assert finished.is_demo and finished.status == "closed"


def test_seeding_again_does_not_duplicate_the_finished_attendance(session, courses):
    demo_seed(session=session, courses=courses, now=NOW)
    demo_seed(session=session, courses=courses, now=NOW + timedelta(days=2))
    enrollment_id = _participant_enrollment(session, "demo-finished")
    assert len(attendance_summary(session, enrollment_id).sessions) == 2


def test_seeding_again_the_next_day_moves_the_demo_sessions_to_that_day(session, courses):
    demo_seed(session=session, courses=courses, now=NOW)
    later = NOW + timedelta(days=2)
    demo_seed(session=session, courses=courses, now=later)
    demo = session.scalar(select(Offering).where(Offering.slug == "demo"))
    assert demo.sessions[0].starts_at <= later < demo.sessions[0].ends_at
    assert session.query(User).count() == 3
