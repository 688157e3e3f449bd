"""Courses, their dated offerings, live sessions and enrollments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utc_now


class Course(Base):
    """A course whose content lives in content/<slug>/."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))

    offerings: Mapped[list[Offering]] = relationship(back_populates="course")


class Offering(Base):
    """One dated run of a course, with its time zone, fees, deadlines and policy."""

    __tablename__ = "offerings"
    __table_args__ = (
        UniqueConstraint("course_id", "slug"),
        CheckConstraint("status IN ('open', 'closed', 'cancelled')", name="status"),
        CheckConstraint("fee_cents >= 0 AND early_fee_cents >= 0", name="fees"),
        CheckConstraint("deposit_cents >= 0", name="deposit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="open")
    is_demo: Mapped[bool] = mapped_column(default=False)
    fee_cents: Mapped[int] = mapped_column(Integer)
    early_fee_cents: Mapped[int] = mapped_column(Integer)
    early_deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    cancellation_deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    deposit_cents: Mapped[int] = mapped_column(Integer, default=0)
    enrollment_closes: Mapped[date | None] = mapped_column(Date, nullable=True)
    evaluation_deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    access_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    late_tolerance_minutes: Mapped[int] = mapped_column(Integer, default=15)
    early_leave_tolerance_minutes: Mapped[int] = mapped_column(Integer, default=15)
    meeting_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # Whether the CE office sees who wrote which evaluation; participants are told on the form.
    evaluation_names_visible: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Whether a certificate needs the fee paid (or waived by the CE office).
    certificate_requires_payment: Mapped[bool] = mapped_column(default=True, server_default=true())
    # When the last session ended, recorded once when the portal first saw it over; later
    # edits never move it, so retention is counted from it (portal.records.retention).
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    course: Mapped[Course] = relationship(back_populates="offerings")
    # No delete-orphan cascade: a session with records is never deleted as a side effect;
    # portal.courses.offerings deletes a removed session explicitly, once nothing refers to it.
    sessions: Mapped[list[LiveSession]] = relationship(
        back_populates="offering", order_by="LiveSession.starts_at"
    )


class OfferingInstructor(Base):
    """An instructor assigned to run an offering."""

    __tablename__ = "offering_instructors"

    offering_id: Mapped[int] = mapped_column(
        ForeignKey("offerings.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


class LiveSession(Base):
    """One live meeting of an offering; instants in UTC."""

    __tablename__ = "live_sessions"
    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
        CheckConstraint("instructional_minutes > 0", name="instructional_minutes"),
        UniqueConstraint("offering_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(ForeignKey("offerings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    instructional_minutes: Mapped[int] = mapped_column(Integer)

    offering: Mapped[Offering] = relationship(back_populates="sessions")


class Enrollment(Base):
    """A person in an offering; cancelled enrollments are kept for the record."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("user_id", "offering_id"),
        CheckConstraint("status IN ('active', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    offering_id: Mapped[int] = mapped_column(ForeignKey("offerings.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
