"""Fees paid, cancellation requests and refunds of enrollments, in integer cents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utc_now


class Payment(Base):
    """Money received for an enrollment, recorded by the CE office (no payment gateway)."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount"),
        # A double-submitted form cannot record the same payment twice.
        UniqueConstraint("enrollment_id", "reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    amount_cents: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(120))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class CancellationRequest(Base):
    """A written cancellation (by the participant) or a provider cancellation."""

    __tablename__ = "cancellation_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        CheckConstraint("retained_cents >= 0", name="retained"),
        UniqueConstraint("enrollment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    statement: Mapped[str] = mapped_column(Text, default="")
    by_provider: Mapped[bool] = mapped_column(Boolean, default=False)
    on_time: Mapped[bool] = mapped_column(Boolean, default=True)
    # What the provider keeps under the policy as it stood when the request was made.
    retained_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")


class Refund(Base):
    """Money paid back for a cancelled enrollment, recorded by the CE office."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount"),
        UniqueConstraint("enrollment_id", "reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    amount_cents: Mapped[int] = mapped_column(Integer)
    refunded_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(120))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class FeeWaiver(Base):
    """The CE office waives the fee as a condition of an enrollment's certificates."""

    __tablename__ = "fee_waivers"
    __table_args__ = (UniqueConstraint("enrollment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="RESTRICT"))
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    waived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    reason: Mapped[str] = mapped_column(Text)
