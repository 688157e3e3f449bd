"""Cancellation policy and requests: written requests, refunds per the offering's rules.

The policy data lives on the offering (from the course file): a request on or before
cancellation_deadline, in the offering's time zone, is refunded minus the deposit; later
requests are not refunded; a provider cancellation refunds everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.authz import admin_check
from portal.enrollment.payments import enrollment_account
from portal.errors import FieldErrors, NotAllowed, NotFound, PortalError
from portal.models import CancellationRequest, Enrollment, Offering, utc_now
from portal.money import money_format
from portal.records.audit import audit_record
from portal.timefmt import local_date


def cancellation_on_time(offering: Offering, at: datetime) -> bool:
    """Whether a request at this instant is on or before the deadline, in the offering's zone."""
    deadline = offering.cancellation_deadline
    return deadline is None or local_date(at, offering.time_zone) <= deadline


def cancellation_retained_cents(offering: Offering, fee_cents: int, at: datetime) -> int:
    """What the provider keeps of the fee when a participant cancels at this instant."""
    if cancellation_on_time(offering, at):
        return min(offering.deposit_cents, fee_cents)
    return fee_cents


@dataclass(frozen=True)
class CancellationQuote:
    """What cancelling now means for the participant, shown before they confirm."""

    enrollment_id: int
    on_time: bool
    deadline: date | None
    fee_cents: int
    paid_cents: int
    retained_cents: int
    refund_cents: int
    explanation: str


def _own_enrollment(session: Session, user_id: int, enrollment_id: int) -> Enrollment:
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.user_id != user_id:
        raise NotFound("No such enrollment.")
    return enrollment


def _explain(offering: Offering, on_time: bool, retained: int, refund: int, paid: int) -> str:
    deadline = offering.cancellation_deadline
    when = f"{deadline:%B} {deadline.day}, {deadline.year}" if deadline else ""
    if paid == 0:
        # "what you paid minus the deposit: $0.00" reads as if the deposit were still due.
        return "You have paid nothing yet: no refund, and once approved you owe nothing."
    if not on_time:
        return f"No refund: cancellations after {when} are not refunded."
    kept = f" minus the {money_format(retained)} non-refundable deposit" if retained else ""
    return f"Refund of what you paid{kept}: {money_format(refund)}."


def cancellation_quote(
    session: Session, *, user_id: int, enrollment_id: int, now: datetime | None = None
) -> CancellationQuote:
    """The refund this participant would get for cancelling their own enrollment now."""
    now = now or utc_now()
    enrollment = _own_enrollment(session, user_id, enrollment_id)
    offering = session.get(Offering, enrollment.offering_id)
    assert offering is not None
    on_time = cancellation_on_time(offering, now)
    retained = cancellation_retained_cents(offering, enrollment.fee_cents, now)
    account = enrollment_account(session, enrollment_id)
    refund = max(account.paid_cents - account.refunded_cents - retained, 0)
    return CancellationQuote(
        enrollment_id=enrollment_id,
        on_time=on_time,
        deadline=offering.cancellation_deadline,
        fee_cents=enrollment.fee_cents,
        paid_cents=account.paid_cents,
        retained_cents=retained,
        refund_cents=refund,
        explanation=_explain(offering, on_time, retained, refund, account.paid_cents),
    )


def cancellation_request(
    *,
    session: Session,
    user_id: int,
    enrollment_id: int,
    statement: str,
    expected_refund_cents: int,
    confirmed: bool = True,
    now: datetime | None = None,
) -> CancellationRequest:
    """A participant asks in writing to cancel; the CE office approves it later."""
    now = now or utc_now()
    errors = {}
    if not statement.strip():
        errors["statement"] = "Write your cancellation request."
    if not confirmed:
        errors["confirm"] = "Confirm that you have read the refund amount."
    if errors:
        raise FieldErrors(errors)
    enrollment = _own_enrollment(session, user_id, enrollment_id)
    if enrollment.status != "active":
        raise PortalError("This enrollment is already cancelled.")
    quote = cancellation_quote(session, user_id=user_id, enrollment_id=enrollment_id, now=now)
    if quote.refund_cents != expected_refund_cents:
        raise PortalError(f"The refund has changed: {quote.explanation} Please review and confirm.")
    row = session.scalar(
        select(CancellationRequest).where(CancellationRequest.enrollment_id == enrollment_id)
    )
    if row is not None and row.status == "pending":
        return row  # a double click keeps the first request
    row = row or CancellationRequest(enrollment_id=enrollment_id)
    row.requested_at, row.statement, row.status = now, statement.strip(), "pending"
    row.on_time, row.retained_cents = quote.on_time, quote.retained_cents
    row.decided_by, row.decided_at, row.decision_reason = None, None, ""
    session.add(row)
    session.flush()
    audit_record(
        session=session,
        actor_id=user_id,
        action="cancellation.request",
        subject_type="enrollment",
        subject_id=enrollment_id,
        reason=statement.strip(),
        details={
            "offering_id": enrollment.offering_id,
            "on_time": quote.on_time,
            "retained_cents": quote.retained_cents,
        },
    )
    return row


def cancellation_decide(
    *, session: Session, actor_id: int, request_id: int, approve: bool, reason: str = ""
) -> None:
    """Approve (the enrollment is cancelled, the refund becomes due) or reject a request."""
    admin_check(session, actor_id)
    row = session.get(CancellationRequest, request_id, with_for_update=True)
    if row is None:
        raise NotFound("No such cancellation request.")
    if row.status != "pending":
        raise PortalError("This request has already been decided.")
    if not approve and not reason.strip():
        raise FieldErrors({"reason": "Say why the request is rejected."})
    enrollment = session.get(Enrollment, row.enrollment_id)
    assert enrollment is not None
    row.status = "approved" if approve else "rejected"
    row.decided_by, row.decided_at, row.decision_reason = actor_id, utc_now(), reason.strip()
    if approve:
        enrollment.status = "cancelled"
    audit_record(
        session=session,
        actor_id=actor_id,
        action="cancellation.approve" if approve else "cancellation.reject",
        subject_type="enrollment",
        subject_id=enrollment.id,
        reason=reason.strip(),
        details={"offering_id": enrollment.offering_id, "retained_cents": row.retained_cents},
    )


def _provider_cancel(
    session: Session, enrollment: Enrollment, actor_id: int, now: datetime
) -> None:
    row = session.scalar(
        select(CancellationRequest).where(CancellationRequest.enrollment_id == enrollment.id)
    )
    if row is None:
        row = CancellationRequest(enrollment_id=enrollment.id, requested_at=now)
        session.add(row)
    elif row.status == "approved":
        return  # already cancelled by the participant: their policy stands
    row.by_provider, row.on_time, row.retained_cents = True, True, 0
    row.status, row.decided_by, row.decided_at = "approved", actor_id, now
    row.decision_reason = "The provider cancelled the offering: full refund."
    enrollment.status = "cancelled"


def offering_cancel(
    *, session: Session, actor_id: int, offering_id: int, reason: str, now: datetime | None = None
) -> int:
    """The provider cancels an offering: every enrollment is cancelled with a full refund due."""
    admin_check(session, actor_id)
    now = now or utc_now()
    if not reason.strip():
        raise FieldErrors({"reason": "Say why the offering is cancelled."})
    offering = session.get(Offering, offering_id, with_for_update=True)
    if offering is None:
        raise NotFound("No such offering.")
    if offering.status == "cancelled":
        raise NotAllowed("This offering is already cancelled.")
    offering.status = "cancelled"
    enrollments = session.scalars(
        select(Enrollment).where(Enrollment.offering_id == offering_id)
    ).all()
    for enrollment in enrollments:
        _provider_cancel(session, enrollment, actor_id, now)
    audit_record(
        session=session,
        actor_id=actor_id,
        action="offering.cancel",
        subject_type="offering",
        subject_id=offering_id,
        reason=reason.strip(),
        details={"offering_id": offering_id, "enrollments": len(enrollments)},
    )
    return len(enrollments)
