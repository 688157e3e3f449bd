"""Certificates (frozen when issued), reissue requests and the verification throttle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utc_now

_CURRENT = text("status = 'current'")
_PENDING = text("status = 'pending'")


class Certificate(Base):
    """One issued certificate: its PDF bytes, their SHA-256 and the data they were made from.

    The database keeps one current certificate per enrollment and credit type; a reissue
    supersedes the old row, a revocation ends it. Rows are never deleted.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("status IN ('current', 'superseded', 'revoked')", name="status"),
        Index(
            "uq_certificates_current_enrollment_credit_type",
            "enrollment_id",
            "credit_type_id",
            unique=True,
            sqlite_where=_CURRENT,
            postgresql_where=_CURRENT,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="RESTRICT"), index=True
    )
    credit_type_id: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="current")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    issue_reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Deferred: lists and counts never read the bytes; the download and the ZIP ask for them.
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"), nullable=True)
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id"), nullable=True
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    revoke_reason: Mapped[str] = mapped_column(Text, default="")


class CertificateReissueRequest(Base):
    """A participant's request to correct a certificate, decided by an admin."""

    __tablename__ = "certificate_reissue_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'declined')", name="status"),
        Index(
            "uq_certificate_reissue_requests_pending",
            "certificate_id",
            unique=True,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")


class VerificationThrottle(Base):
    """Lookups on the public verification page per client key (hashed) and time window."""

    __tablename__ = "verification_throttle"

    client_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True, index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
