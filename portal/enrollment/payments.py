"""Payments and refunds recorded by the CE office, and what each enrollment owes or is owed.

For an active enrollment the provider keeps the fee; for a cancelled one it keeps what the
cancellation policy retained (nothing after a provider cancellation). Then
owed = keep - (paid - refunded) when positive and the enrollment is active, and
refund due = (paid - refunded) - keep when positive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Select, func, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.authz import admin_check
from portal.courses.content import PaymentInfo, course_get
from portal.errors import FieldErrors, NotFound
from portal.learning.checklist_item import ChecklistItem
from portal.models import (
    CancellationRequest,
    Enrollment,
    FeeWaiver,
    Offering,
    Payment,
    Refund,
    User,
)
from portal.money import money_format, money_parse
from portal.records.audit import audit_record
from portal.settings import settings_load

if TYPE_CHECKING:
    from portal.learning.facts import EnrollmentFacts


@dataclass(frozen=True)
class EnrollmentAccount:
    """Money and cancellation state of one enrollment."""

    enrollment_id: int
    user_id: int
    full_name: str
    email: str
    offering_id: int
    offering_label: str
    status: str
    fee_cents: int
    paid_cents: int
    refunded_cents: int
    owed_cents: int
    refund_due_cents: int
    cancellation: str  # '', 'pending', 'approved', 'rejected'
    cancellation_id: int | None
    by_provider: bool
    on_time: bool | None
    retained_cents: int | None
    requested_at: datetime | None
    statement: str


def _sums(session: Session, ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Money received and paid back per enrollment, both in one query."""

    def total(model: type[Payment] | type[Refund], kind: str) -> Select[tuple[str, int, int]]:
        return (
            select(literal(kind).label("kind"), model.enrollment_id, func.sum(model.amount_cents))
            .where(model.enrollment_id.in_(ids))
            .group_by(model.enrollment_id)
        )

    found: dict[str, dict[int, int]] = {"paid": {}, "refunded": {}}
    for kind, enrollment_id, cents in session.execute(
        union_all(total(Payment, "paid"), total(Refund, "refunded"))
    ):
        found[kind][enrollment_id] = int(cents)
    return found["paid"], found["refunded"]


def _account(
    e: Enrollment,
    user: User,
    offering: Offering,
    paid: int,
    refunded: int,
    c: CancellationRequest | None,
) -> EnrollmentAccount:
    approved = c is not None and c.status == "approved"
    keep = c.retained_cents if (approved and e.status == "cancelled") else e.fee_cents
    net = paid - refunded
    return EnrollmentAccount(
        enrollment_id=e.id,
        user_id=user.id,
        full_name=user.full_name,
        email=user.email,
        offering_id=offering.id,
        offering_label=offering.label,
        status=e.status,
        fee_cents=e.fee_cents,
        paid_cents=paid,
        refunded_cents=refunded,
        owed_cents=max(keep - net, 0) if e.status == "active" else 0,
        refund_due_cents=max(net - keep, 0),
        cancellation=c.status if c else "",
        cancellation_id=c.id if c else None,
        by_provider=bool(c and c.by_provider),
        on_time=c.on_time if c else None,
        retained_cents=c.retained_cents if c else None,
        requested_at=c.requested_at if c else None,
        statement=c.statement if c else "",
    )


def enrollment_accounts(
    session: Session, *, offering_id: int | None = None, user_id: int | None = None
) -> list[EnrollmentAccount]:
    """Accounts of an offering's or a person's enrollments (admin; scope by user_id for others)."""
    query = (
        select(Enrollment, User, Offering)
        .join(User, User.id == Enrollment.user_id)
        .join(Offering, Offering.id == Enrollment.offering_id)
        .order_by(User.full_name, Enrollment.id)
    )
    if offering_id is not None:
        query = query.where(Enrollment.offering_id == offering_id)
    if user_id is not None:
        query = query.where(Enrollment.user_id == user_id)
    return enrollment_accounts_of(session, list(session.execute(query).all()))


def enrollment_accounts_of(
    session: Session, rows: Sequence[tuple[Enrollment, User, Offering]]
) -> list[EnrollmentAccount]:
    """The accounts of enrollments already read (with their person and offering), in order."""
    ids = [e.id for e, _, _ in rows]
    if not ids:
        return []
    paid, refunded = _sums(session, ids)
    requests = {
        c.enrollment_id: c
        for c in session.scalars(
            select(CancellationRequest).where(CancellationRequest.enrollment_id.in_(ids))
        )
    }
    return [
        _account(e, u, o, paid.get(e.id, 0), refunded.get(e.id, 0), requests.get(e.id))
        for e, u, o in rows
    ]


def enrollment_account(session: Session, enrollment_id: int) -> EnrollmentAccount:
    """The account of one enrollment."""
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise NotFound("No such enrollment.")
    accounts = enrollment_accounts(session, user_id=enrollment.user_id)
    return next(a for a in accounts if a.enrollment_id == enrollment_id)


def _money_fields(amount: str, day: date | None, reference: str) -> tuple[int, str]:
    errors: dict[str, str] = {}
    cents = money_parse(amount)
    if cents is None or cents <= 0:
        errors["amount"] = "Enter an amount in dollars, like 205.00."
    if day is None:
        errors["date"] = "Enter the date."
    if not reference.strip():
        errors["reference"] = "Enter a reference (check number, transaction id)."
    if errors:
        raise FieldErrors(errors)
    assert cents is not None
    return cents, reference.strip()[:120]


def _insert_once(session: Session, row: Payment | Refund) -> None:
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise FieldErrors({"reference": "This reference is already recorded."}) from None


def payment_record(
    *,
    session: Session,
    actor_id: int,
    enrollment_id: int,
    amount: str,
    paid_on: date | None,
    reference: str,
) -> Payment:
    """Record money received for an enrollment (admins)."""
    admin_check(session, actor_id)
    cents, reference = _money_fields(amount, paid_on, reference)
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise NotFound("No such enrollment.")
    assert paid_on is not None
    row = Payment(
        enrollment_id=enrollment_id,
        amount_cents=cents,
        paid_on=paid_on,
        reference=reference,
        recorded_by=actor_id,
    )
    _insert_once(session, row)
    _money_audit(
        session,
        actor_id,
        "payment.record",
        enrollment_id,
        enrollment.offering_id,
        {"amount_cents": cents, "paid_on": paid_on.isoformat(), "reference": reference},
    )
    return row


def _money_audit(
    session: Session,
    actor_id: int,
    action: str,
    enrollment_id: int,
    offering_id: int,
    details: dict[str, object],
    reason: str = "",
) -> None:
    """The audit event of money received or paid back for an enrollment."""
    audit_record(
        session=session,
        actor_id=actor_id,
        action=action,
        subject_type="enrollment",
        subject_id=enrollment_id,
        reason=reason,
        details={"offering_id": offering_id, **details},
    )


def refund_record(
    *,
    session: Session,
    actor_id: int,
    enrollment_id: int,
    amount: str,
    refunded_on: date | None,
    reference: str,
    reason: str = "",
) -> Refund:
    """Record a refund paid back; never more than the refund due (admins)."""
    admin_check(session, actor_id)
    cents, reference = _money_fields(amount, refunded_on, reference)
    session.get(Enrollment, enrollment_id, with_for_update=True)
    account = enrollment_account(session, enrollment_id)
    if cents > account.refund_due_cents:
        raise FieldErrors({"amount": f"At most {money_format(account.refund_due_cents)} is due."})
    assert refunded_on is not None
    row = Refund(
        enrollment_id=enrollment_id,
        amount_cents=cents,
        refunded_on=refunded_on,
        reference=reference,
        recorded_by=actor_id,
    )
    _insert_once(session, row)
    _money_audit(
        session,
        actor_id,
        "refund.record",
        enrollment_id,
        account.offering_id,
        {"amount_cents": cents, "refunded_on": refunded_on.isoformat(), "reference": reference},
        reason.strip(),
    )
    return row


@dataclass(frozen=True)
class CertificateFee:
    """Whether the fee stands between an enrollment and its certificates, in plain words."""

    settled: bool
    detail: str


def certificate_fee(session: Session, enrollment_id: int) -> CertificateFee:
    """Settled when the offering issues certificates regardless of payment, the fee is
    paid, or the CE office waived it with a reason."""
    account = enrollment_account(session, enrollment_id)
    offering = session.get(Offering, account.offering_id)
    assert offering is not None  # guaranteed by the foreign key
    return certificate_fee_of(
        offering, account, enrollment_id in fees_waived(session, [enrollment_id])
    )


def fees_waived(session: Session, enrollment_ids: list[int]) -> set[int]:
    """Which of the enrollments have their fee waived for certificates (one query)."""
    query = select(FeeWaiver.enrollment_id).where(FeeWaiver.enrollment_id.in_(enrollment_ids))
    return set(session.scalars(query))


def certificate_fee_of(
    offering: Offering, account: EnrollmentAccount, waived: bool
) -> CertificateFee:
    """certificate_fee from what the caller has read already."""
    if not offering.certificate_requires_payment:
        return CertificateFee(
            True, "This offering issues certificates whether or not the fee is paid."
        )
    if waived:
        return CertificateFee(True, "The CE office waived the fee for your certificate.")
    if account.owed_cents == 0:
        return CertificateFee(True, f"Paid {money_format(account.paid_cents)}.")
    return CertificateFee(
        False,
        f"You owe {money_format(account.owed_cents)}; certificates are issued once the fee is "
        "paid. See Enrollment and fees for how to pay.",
    )


def fee_waive(
    *, session: Session, actor_id: int, enrollment_id: int, reason: str, now: datetime
) -> FeeWaiver:
    """Waive the fee as a condition of an enrollment's certificates (admins; audited)."""
    admin_check(session, actor_id)
    if not reason.strip():
        raise FieldErrors({"reason": "Say why the fee is waived; it is kept on record."})
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise NotFound("No such enrollment.")
    row = FeeWaiver(
        enrollment_id=enrollment_id, waived_by_id=actor_id, waived_at=now, reason=reason.strip()
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise FieldErrors({"reason": "The fee of this enrollment is already waived."}) from None
    account = enrollment_account(session, enrollment_id)
    _money_audit(
        session,
        actor_id,
        "payment.waive",
        enrollment_id,
        enrollment.offering_id,
        {"owed_cents": account.owed_cents},
        reason.strip(),
    )
    return row


def fee_checklist(session: Session, enrollment_id: int) -> list[ChecklistItem]:
    """Checklist items: the fee owed or paid, and the cancellation state."""
    return fee_items(enrollment_account(session, enrollment_id))


def fee_section(facts: EnrollmentFacts) -> list[ChecklistItem]:
    """The Home checklist's fee section, from the facts the page read once."""
    return fee_items(facts.account)


def fee_items(a: EnrollmentAccount) -> list[ChecklistItem]:
    """The fee owed or paid, and the cancellation state, of one account."""
    page = "pages/enroll.py"
    if a.status == "cancelled":
        detail = (
            f"refund due {money_format(a.refund_due_cents)}"
            if a.refund_due_cents
            else (f"refunded {money_format(a.refunded_cents)}" if a.refunded_cents else "no refund")
        )
        return [ChecklistItem("Enrollment cancelled", "blocked", detail, page)]
    items = [
        ChecklistItem("Registration fee", "done", f"paid {money_format(a.paid_cents)}")
        if a.owed_cents == 0
        else ChecklistItem(
            "Registration fee", "todo", f"you owe {money_format(a.owed_cents)}", page
        )
    ]
    if a.cancellation == "pending":
        items.append(
            ChecklistItem(
                "Cancellation requested", "waiting", "the CE office will confirm it", page
            )
        )
    return items


def payment_info(session: Session, offering_id: int) -> PaymentInfo | None:
    """How to pay for an offering and whom to ask, from its course file (None when unset)."""
    offering = session.get(Offering, offering_id)
    if offering is None:
        raise NotFound("No such offering.")
    return course_get(settings_load().content_dir, offering.course.slug).payment_for(offering.slug)
