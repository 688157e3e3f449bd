"""Attendance machinery: code windows, wrong-code throttle, change history, correction
requests and imported platform reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utc_now


class CodeWindow(Base):
    """A check-in or check-out window of one live session, with its rotating-code secret.

    Codes are derived from the secret and the interval index, so every app process computes
    the same code; the codes themselves are never stored.
    """

    __tablename__ = "attendance_code_windows"
    __table_args__ = (
        CheckConstraint("kind IN ('in', 'out')", name="kind"),
        CheckConstraint("opens_at < closes_at", name="opens_before_closes"),
        CheckConstraint("interval_seconds >= 30", name="interval"),
        CheckConstraint("grace_seconds >= 0", name="grace"),
        Index("ix_attendance_code_windows_closes_at", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    live_session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(3))
    secret: Mapped[str] = mapped_column(String(64))
    interval_seconds: Mapped[int] = mapped_column(Integer, default=300)
    grace_seconds: Mapped[int] = mapped_column(Integer, default=60)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class CodeFailure(Base):
    """One wrong code typed by a person; recent rows throttle further attempts."""

    __tablename__ = "attendance_code_failures"
    __table_args__ = (Index("ix_attendance_code_failures_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    code_hash: Mapped[str] = mapped_column(String(64))


class CodeAttempts(Base):
    """Codes a person submitted in the current throttle window, counted atomically."""

    __tablename__ = "attendance_code_attempts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class AttendanceChange(Base):
    """Append-only history: one row per change of an attendance record, before and after."""

    __tablename__ = "attendance_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_id: Mapped[int] = mapped_column(
        ForeignKey("attendance.id", ondelete="RESTRICT"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendance_imports.id"), nullable=True
    )


class CorrectionRequest(Base):
    """A participant's request to correct their attendance at one session."""

    __tablename__ = "attendance_correction_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'declined')", name="status"),
        # One open request per enrollment and session; decided ones are kept.
        Index(
            "uq_attendance_correction_requests_pending",
            "enrollment_id",
            "live_session_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="RESTRICT"), index=True
    )
    live_session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="RESTRICT")
    )
    note: Mapped[str] = mapped_column(Text)
    requested_check_in: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    requested_check_out: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")


class PlatformImport(Base):
    """A video platform's participant report imported as evidence for one live session."""

    __tablename__ = "attendance_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    live_session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="RESTRICT"), index=True
    )
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    time_zone: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    people_matched: Mapped[int] = mapped_column(Integer, default=0)
    people_unmatched: Mapped[int] = mapped_column(Integer, default=0)
