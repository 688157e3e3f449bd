"""Cancellation policy, requests, approvals, refunds and provider cancellations."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.enrollment.cancellations import (
    cancellation_decide,
    cancellation_quote,
    cancellation_request,
    offering_cancel,
)
from portal.enrollment.payments import enrollment_account, payment_record, refund_record
from portal.enrollment.payments import fee_checklist as checklist_for
from portal.errors import FieldErrors, NotAllowed, NotFound, PortalError
from portal.models import AuditEvent
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_enrollment import pacific, workshop_offering

ON_TIME_LATE_EVENING = datetime(2023, 5, 5, 6, 30, tzinfo=UTC)  # 11:30 pm PDT, May 4


def _paid(session, course, amount="225.00", fee=22500):
    offering = workshop_offering(session, course)
    user, admin = user_make(session), user_make(session, role="admin")
    enrollment = enrollment_make(session, user, offering)
    enrollment.fee_cents = fee
    payment_record(
        session=session,
        actor_id=admin.id,
        enrollment_id=enrollment.id,
        amount=amount,
        paid_on=date(2023, 4, 1),
        reference="CHK-1",
    )
    return user, admin, enrollment


@pytest.mark.parametrize(
    ("instant", "refund", "on_time"),
    [
        (pacific(date(2023, 5, 4), 0, 0), 19500, True),
        (ON_TIME_LATE_EVENING, 19500, True),
        (pacific(date(2023, 5, 4), 23, 59, 59), 19500, True),
        (pacific(date(2023, 5, 5), 0, 0), 0, False),
        (datetime(2023, 5, 5, 7, 0, tzinfo=UTC), 0, False),
    ],
)
def test_refund_boundary_in_pacific_time(session, course, instant, refund, on_time):
    user, _, enrollment = _paid(session, course)
    quote = cancellation_quote(session, user_id=user.id, enrollment_id=enrollment.id, now=instant)
    assert (quote.refund_cents, quote.on_time) == (refund, on_time)
    assert ("No refund" in quote.explanation) is (not on_time)


def test_early_bird_refund_keeps_only_the_deposit(session, course):
    user, _, enrollment = _paid(session, course, amount="205", fee=20500)
    quote = cancellation_quote(
        session, user_id=user.id, enrollment_id=enrollment.id, now=ON_TIME_LATE_EVENING
    )
    assert quote.refund_cents == 17500
    assert "$30.00 non-refundable deposit" in quote.explanation


def test_unpaid_enrollment_gets_no_refund(session, course):
    offering = workshop_offering(session, course)
    user = user_make(session)
    enrollment = enrollment_make(session, user, offering)
    quote = cancellation_quote(
        session, user_id=user.id, enrollment_id=enrollment.id, now=ON_TIME_LATE_EVENING
    )
    assert quote.refund_cents == 0
    assert quote.explanation.startswith("You have paid nothing yet")


def test_request_approve_and_refund(session, course):
    user, admin, enrollment = _paid(session, course)
    request = cancellation_request(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        statement="Family emergency, please cancel.",
        expected_refund_cents=19500,
        now=ON_TIME_LATE_EVENING,
    )
    assert request.status == "pending" and enrollment.status == "active"
    assert [i.label for i in checklist_for(session, enrollment.id)] == [
        "Registration fee",
        "Cancellation requested",
    ]
    cancellation_decide(session=session, actor_id=admin.id, request_id=request.id, approve=True)
    assert enrollment.status == "cancelled"
    account = enrollment_account(session, enrollment.id)
    assert (account.refund_due_cents, account.owed_cents) == (19500, 0)
    with pytest.raises(FieldErrors) as error:
        refund_record(
            session=session,
            actor_id=admin.id,
            enrollment_id=enrollment.id,
            amount="195.01",
            refunded_on=date(2023, 5, 8),
            reference="R-1",
        )
    assert "At most $195.00" in error.value.errors["amount"]
    refund_record(
        session=session,
        actor_id=admin.id,
        enrollment_id=enrollment.id,
        amount="195",
        refunded_on=date(2023, 5, 8),
        reference="R-1",
    )
    account = enrollment_account(session, enrollment.id)
    assert (account.refunded_cents, account.refund_due_cents) == (19500, 0)
    [item] = checklist_for(session, enrollment.id)
    assert (item.label, item.status, item.detail) == (
        "Enrollment cancelled",
        "blocked",
        "refunded $195.00",
    )


def test_late_request_is_approved_without_refund(session, course):
    user, admin, enrollment = _paid(session, course)
    request = cancellation_request(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        statement="Cannot attend",
        expected_refund_cents=0,
        now=pacific(date(2023, 5, 5), 0, 0),
    )
    assert request.on_time is False and request.retained_cents == 22500
    cancellation_decide(session=session, actor_id=admin.id, request_id=request.id, approve=True)
    assert enrollment_account(session, enrollment.id).refund_due_cents == 0


def test_a_changed_refund_must_be_confirmed_again(session, course):
    user, _, enrollment = _paid(session, course)
    with pytest.raises(PortalError, match="refund has changed"):
        cancellation_request(
            session=session,
            user_id=user.id,
            enrollment_id=enrollment.id,
            statement="Cancel",
            expected_refund_cents=19500,
            now=pacific(date(2023, 5, 5), 0, 1),
        )


def test_request_needs_words_and_confirmation(session, course):
    user, _, enrollment = _paid(session, course)
    with pytest.raises(FieldErrors) as error:
        cancellation_request(
            session=session,
            user_id=user.id,
            enrollment_id=enrollment.id,
            statement="  ",
            expected_refund_cents=19500,
            confirmed=False,
            now=ON_TIME_LATE_EVENING,
        )
    assert set(error.value.errors) == {"statement", "confirm"}


def test_nobody_cancels_someone_elses_enrollment(session, course):
    _, _, enrollment = _paid(session, course)
    stranger = user_make(session)
    with pytest.raises(NotFound):
        cancellation_quote(session, user_id=stranger.id, enrollment_id=enrollment.id)
    with pytest.raises(NotFound):
        cancellation_request(
            session=session,
            user_id=stranger.id,
            enrollment_id=enrollment.id,
            statement="x",
            expected_refund_cents=0,
        )


def test_double_click_keeps_one_request_and_rejection_needs_a_reason(session, course):
    user, admin, enrollment = _paid(session, course)
    kwargs = dict(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        statement="Cancel",
        expected_refund_cents=19500,
        now=ON_TIME_LATE_EVENING,
    )
    first, second = cancellation_request(**kwargs), cancellation_request(**kwargs)
    assert first.id == second.id
    with pytest.raises(FieldErrors):
        cancellation_decide(session=session, actor_id=admin.id, request_id=first.id, approve=False)
    cancellation_decide(
        session=session,
        actor_id=admin.id,
        request_id=first.id,
        approve=False,
        reason="Sessions already attended",
    )
    assert enrollment.status == "active"
    with pytest.raises(PortalError, match="already been decided"):
        cancellation_decide(session=session, actor_id=admin.id, request_id=first.id, approve=True)
    again = cancellation_request(**kwargs)  # after a rejection the participant may ask again
    assert again.id == first.id and again.status == "pending"


def test_provider_cancellation_refunds_everything(session, course):
    _, admin, enrollment = _paid(session, course)
    unpaid = enrollment_make(session, user_make(session), workshop_offering(session, course))
    with pytest.raises(FieldErrors):
        offering_cancel(
            session=session, actor_id=admin.id, offering_id=enrollment.offering_id, reason=""
        )
    count = offering_cancel(
        session=session,
        actor_id=admin.id,
        offering_id=enrollment.offering_id,
        reason="Presenter ill",
        now=pacific(date(2023, 5, 10), 9),
    )
    assert count == 2
    account = enrollment_account(session, enrollment.id)
    assert (account.status, account.refund_due_cents, account.by_provider) == (
        "cancelled",
        22500,
        True,
    )
    assert enrollment_account(session, unpaid.id).refund_due_cents == 0
    with pytest.raises(NotAllowed):
        offering_cancel(
            session=session, actor_id=admin.id, offering_id=enrollment.offering_id, reason="again"
        )


def test_payments_need_amount_date_and_unique_reference(session):
    admin, user = user_make(session, role="admin"), user_make(session)
    enrollment = enrollment_make(session, user, offering_make(session))
    with pytest.raises(FieldErrors) as error:
        payment_record(
            session=session,
            actor_id=admin.id,
            enrollment_id=enrollment.id,
            amount="-5",
            paid_on=None,
            reference="",
        )
    assert set(error.value.errors) == {"amount", "date", "reference"}
    payment_record(
        session=session,
        actor_id=admin.id,
        enrollment_id=enrollment.id,
        amount="100",
        paid_on=date(2023, 4, 1),
        reference="TX-9",
    )
    with pytest.raises(FieldErrors, match="already recorded"):
        payment_record(
            session=session,
            actor_id=admin.id,
            enrollment_id=enrollment.id,
            amount="100",
            paid_on=date(2023, 4, 1),
            reference="TX-9",
        )
    account = enrollment_account(session, enrollment.id)
    assert (account.paid_cents, account.owed_cents) == (10000, 12500)
    [item] = checklist_for(session, enrollment.id)
    assert (item.status, item.detail) == ("todo", "you owe $125.00")
    events = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "payment.record")
    ).all()
    assert events == ["payment.record"]
