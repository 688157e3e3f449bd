"""Enrollment: fee by date in the offering's zone, closing date, capacity, status."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from portal.db import transaction
from portal.enrollment.services import (
    enrollment_create,
    enrollment_fee_cents,
    enrollment_is_active,
    offerings_for_enrollment,
)
from portal.errors import PortalError
from portal.models import AuditEvent, Enrollment, OutboxMessage
from portal.money import money_format, money_parse
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_enrollment import pacific, workshop_offering


def test_course_file_fees_reach_the_offering(session, course):
    offering = workshop_offering(session, course)
    assert (offering.fee_cents, offering.early_fee_cents, offering.deposit_cents) == (
        22500,
        20500,
        3000,
    )
    assert offering.early_deadline == date(2023, 4, 18)
    assert offering.cancellation_deadline == date(2023, 5, 4)


@pytest.mark.parametrize(
    ("instant", "fee"),
    [
        (pacific(date(2023, 4, 18), 0, 0), 20500),
        (pacific(date(2023, 4, 18), 23, 59, 59), 20500),
        (datetime(2023, 4, 19, 6, 30, tzinfo=UTC), 20500),  # 11:30 pm PDT on April 18
        (pacific(date(2023, 4, 19), 0, 0), 22500),
        (datetime(2023, 4, 19, 7, 0, tzinfo=UTC), 22500),
    ],
)
def test_early_bird_boundary_in_pacific_time(session, course, instant, fee):
    assert enrollment_fee_cents(workshop_offering(session, course), instant) == fee


def test_enrollment_charges_the_fee_of_its_day(session, course):
    offering = workshop_offering(session, course)
    early, late = user_make(session), user_make(session)
    e1 = enrollment_create(
        session=session,
        user_id=early.id,
        offering_id=offering.id,
        now=pacific(date(2023, 4, 18), 23, 30),
    )
    e2 = enrollment_create(
        session=session,
        user_id=late.id,
        offering_id=offering.id,
        now=pacific(date(2023, 4, 19), 0, 1),
    )
    assert (e1.fee_cents, e2.fee_cents) == (20500, 22500)


def test_enrollment_closes_after_its_day_in_pacific_time(session, course):
    offering = workshop_offering(session, course)
    on_time = enrollment_create(
        session=session,
        user_id=user_make(session).id,
        offering_id=offering.id,
        now=pacific(date(2023, 5, 17), 23, 59),
    )
    assert on_time.status == "active"
    with pytest.raises(PortalError, match="Enrollment closed on May 17, 2023"):
        enrollment_create(
            session=session,
            user_id=user_make(session).id,
            offering_id=offering.id,
            now=pacific(date(2023, 5, 18), 0, 0),
        )


def test_capacity_is_respected_and_admins_may_exceed_it(session):
    offering = offering_make(session, capacity=1)
    enrollment_create(session=session, user_id=user_make(session).id, offering_id=offering.id)
    with pytest.raises(PortalError, match="full"):
        enrollment_create(session=session, user_id=user_make(session).id, offering_id=offering.id)
    admin = user_make(session, role="admin")
    extra = enrollment_create(
        session=session,
        user_id=user_make(session).id,
        offering_id=offering.id,
        actor_id=admin.id,
        by_admin=True,
    )
    assert extra.status == "active"


def test_cancelled_seats_are_free_again(session):
    offering = offering_make(session, capacity=1)
    enrollment_make(session, user_make(session), offering, status="cancelled")
    assert enrollment_create(
        session=session, user_id=user_make(session).id, offering_id=offering.id
    )


@pytest.mark.parametrize("status", ["closed", "cancelled"])
def test_only_open_offerings_take_enrollments(session, status):
    offering = offering_make(session, status=status)
    with pytest.raises(PortalError):
        enrollment_create(session=session, user_id=user_make(session).id, offering_id=offering.id)
    with pytest.raises(PortalError):
        enrollment_create(
            session=session,
            user_id=user_make(session).id,
            offering_id=offering.id,
            by_admin=status == "cancelled",
        )


def test_double_enrollment_returns_the_first_and_mails_once(session):
    offering, user = offering_make(session), user_make(session)
    first = enrollment_create(session=session, user_id=user.id, offering_id=offering.id)
    again = enrollment_create(session=session, user_id=user.id, offering_id=offering.id)
    assert first.id == again.id
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert session.scalar(select(func.count()).where(AuditEvent.action == "enrollment.create")) == 1


def test_a_cancelled_enrollment_is_not_revived(session):
    offering, user = offering_make(session), user_make(session)
    cancelled = enrollment_make(session, user, offering, status="cancelled")
    with pytest.raises(PortalError, match="cancelled"):
        enrollment_create(session=session, user_id=user.id, offering_id=offering.id)
    assert not enrollment_is_active(session, cancelled.id)
    assert not enrollment_is_active(session, cancelled.id + 999)


def test_enrollment_is_active_checks_the_owner(session):
    offering, user, other = offering_make(session), user_make(session), user_make(session)
    enrollment = enrollment_make(session, user, offering)
    assert enrollment_is_active(session, enrollment.id, user.id)
    assert not enrollment_is_active(session, enrollment.id, other.id)


def test_offerings_for_enrollment_show_todays_fee_and_seats(session, course):
    offering = workshop_offering(session, course)
    user = user_make(session)
    [view] = [
        o
        for o in offerings_for_enrollment(session, user.id, pacific(date(2023, 4, 1), 12))
        if o.id == offering.id
    ]
    assert (view.fee_today_cents, view.seats_left, view.refusal, view.my_status) == (
        20500,
        100,
        None,
        None,
    )
    assert offering.id in [
        o.id for o in offerings_for_enrollment(session, user.id, pacific(date(2023, 5, 17), 23))
    ]


@pytest.mark.parametrize(
    "fields",
    [{}, {"status": "closed"}, {"enrollment_closes": None}],
    ids=["closing-date-passed", "closed", "sessions-over"],
)
def test_offerings_no_longer_open_for_enrollment_are_not_listed(session, course, fields):
    offering = workshop_offering(session, course)
    for name, value in fields.items():
        setattr(offering, name, value)
    session.flush()
    user = user_make(session)
    listed = offerings_for_enrollment(session, user.id, pacific(date(2023, 5, 26), 12))
    assert offering.id not in [o.id for o in listed]


def test_money_is_parsed_exactly():
    assert money_parse("205") == 20500
    assert money_parse("$1,205.50") == 120550
    assert money_parse("0.1") == 10
    assert money_parse("1.005") is None
    assert money_parse("abc") is None
    assert money_parse("NaN") is None
    assert money_format(120550) == "$1,205.50"
    assert money_format(-5) == "-$0.05"


def test_concurrent_enrollments_never_exceed_capacity(factory, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("threads race for real only on PostgreSQL")
    with transaction(factory) as session:
        offering_id = offering_make(session, capacity=2).id
        user_ids = [user_make(session).id for _ in range(6)]
    outcomes: list[str] = []

    def enroll(user_id: int) -> None:
        try:
            with transaction(factory) as session:
                enrollment_create(session=session, user_id=user_id, offering_id=offering_id)
            outcomes.append("ok")
        except PortalError:
            outcomes.append("full")

    threads = [threading.Thread(target=enroll, args=(u,)) for u in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["full"] * 4 + ["ok"] * 2
    with factory() as session:
        count = select(func.count()).where(Enrollment.offering_id == offering_id)
        assert session.scalar(count) == 2
