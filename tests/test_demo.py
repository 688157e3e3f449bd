from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.accounts.passwords import password_matches
from portal.demo import demo_seed
from portal.learning.home import participant_enrollments
from portal.models import Offering, OfferingInstructor, User

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


def test_the_participant_is_enrolled_in_the_demo_offering_and_the_instructor_runs_both(
    session, courses
):
    demo_seed(session=session, courses=courses, now=NOW)
    participant = session.scalar(select(User).where(User.username == "demo-participant"))
    [enrollment] = participant_enrollments(session, participant.id)
    assert enrollment.offering.slug == "demo"
    assert session.query(OfferingInstructor).count() == 2


def test_seeding_again_the_next_day_moves_the_demo_sessions_to_that_day(session, courses):
    demo_seed(session=session, courses=courses, now=NOW)
    later = NOW + timedelta(days=2)
    demo_seed(session=session, courses=courses, now=later)
    demo = session.scalar(select(Offering).where(Offering.slug == "demo"))
    assert demo.sessions[0].starts_at <= later < demo.sessions[0].ends_at
    assert session.query(User).count() == 3
