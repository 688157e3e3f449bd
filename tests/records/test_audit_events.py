"""Every action that affects credit, money or permissions leaves an audit event with its actor."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from portal.accounts.people import password_reset_send, person_role_change, person_set_active
from portal.accounts.tokens import password_set_with_token, token_issue
from portal.enrollment.cancellations import (
    cancellation_decide,
    cancellation_request,
    offering_cancel,
)
from portal.enrollment.payments import payment_record, refund_record
from portal.enrollment.roster_import import roster_import
from portal.enrollment.services import enrollment_create
from portal.models import AuditEvent
from tests.factories import offering_make, user_make


def _events(session) -> dict[str, AuditEvent]:
    """The first event of each action."""
    events: dict[str, AuditEvent] = {}
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        events.setdefault(event.action, event)
    return events


def test_each_action_has_its_event(session):
    admin, user, other = user_make(session, role="admin"), user_make(session), user_make(session)
    offering = offering_make(session, slug="audit-me", cancellation_deadline=date(2100, 1, 1))
    enrollment = enrollment_create(session=session, user_id=user.id, offering_id=offering.id)
    payment_record(
        session=session,
        actor_id=admin.id,
        enrollment_id=enrollment.id,
        amount="225",
        paid_on=date(2023, 1, 1),
        reference="P1",
    )
    now = datetime.now(UTC)
    request = cancellation_request(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        statement="cancel",
        expected_refund_cents=19500,
        now=now,
    )
    cancellation_decide(
        session=session,
        actor_id=admin.id,
        request_id=request.id,
        approve=False,
        reason="already attended",
    )
    cancellation_request(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        statement="cancel",
        expected_refund_cents=19500,
        now=now,
    )
    cancellation_decide(session=session, actor_id=admin.id, request_id=request.id, approve=True)
    refund_record(
        session=session,
        actor_id=admin.id,
        enrollment_id=enrollment.id,
        amount="195",
        refunded_on=date(2023, 1, 2),
        reference="R1",
    )
    offering_cancel(
        session=session, actor_id=admin.id, offering_id=offering.id, reason="low numbers"
    )
    person_role_change(
        session=session, actor_id=admin.id, user_id=other.id, role="instructor", reason="teaches"
    )
    person_set_active(
        session=session, actor_id=admin.id, user_id=other.id, active=False, reason="left"
    )
    person_set_active(
        session=session, actor_id=admin.id, user_id=other.id, active=True, reason="back"
    )
    password_reset_send(
        session=session,
        actor_id=admin.id,
        user_id=user.id,
        base_url="http://x",
        valid_for=timedelta(hours=1),
    )
    token = token_issue(
        session=session, user_id=user.id, purpose="reset", valid_for=timedelta(hours=1), now=now
    )
    password_set_with_token(
        session=session, token=token, password="new password 123", repeat="new password 123"
    )
    offering_make(session, slug="next")
    roster_import(
        session=session,
        actor_id=admin.id,
        base_url="http://x",
        invite_valid_for=timedelta(days=1),
        data=b"name,email,profession,license,offering\nA,a@example.org,other,,next\n",
    )
    events = _events(session)
    by_admin = {
        "payment.record",
        "cancellation.reject",
        "cancellation.approve",
        "refund.record",
        "offering.cancel",
        "role.change",
        "user.deactivate",
        "user.reactivate",
        "password.reset_sent",
        "roster.import",
    }
    by_user = {"enrollment.create", "cancellation.request", "password.set_by_reset"}
    assert by_admin | by_user <= set(events)
    assert all(events[a].actor_id == admin.id for a in by_admin)
    assert all(events[a].actor_id == user.id for a in by_user)
    assert events["cancellation.reject"].reason == "already attended"
    assert events["refund.record"].details["amount_cents"] == 19500
