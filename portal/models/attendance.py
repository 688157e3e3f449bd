"""Attendance: one row per enrollment and live session, holding the current evidence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utc_now


class Attendance(Base):
    """Check-in and check-out instants of one enrollment at one live session."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "live_session_id"),
        CheckConstraint("source IN ('code', 'manual', 'platform')", name="source"),
        CheckConstraint(
            "checked_out_at IS NULL OR checked_in_at IS NULL OR checked_in_at <= checked_out_at",
            name="in_before_out",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="RESTRICT"), index=True
    )
    live_session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="RESTRICT"), index=True
    )
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    source: Mapped[str] = mapped_column(String(20), default="code")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # Minutes the evidence itself vouches for (a platform report's merged join/leave time);
    # None when only check-in and check-out instants are known.
    evidence_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
