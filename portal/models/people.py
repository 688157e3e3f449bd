"""People: accounts, roles and the licenses that decide their credit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utc_now

ROLES = ("participant", "instructor", "admin")


class User(Base):
    """A person who signs in; full_name is the name printed on certificates."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('participant', 'instructor', 'admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20), default="participant")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Re-login cookies issued before this instant are refused (sign-out, password change).
    sessions_valid_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    licenses: Mapped[list[License]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="License.id"
    )


class License(Base):
    """A profession a person practises, with its license number and issuing state."""

    __tablename__ = "licenses"
    __table_args__ = (UniqueConstraint("user_id", "profession"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    profession: Mapped[str] = mapped_column(String(40))
    number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    state: Mapped[str | None] = mapped_column(String(2), nullable=True)

    user: Mapped[User] = relationship(back_populates="licenses")


class SignInThrottle(Base):
    """Failed sign-ins per throttle key (account, address, or both; hashed), counted atomically."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Set by each counting statement from the row as it was before: was the attempt allowed?
    allowed: Mapped[bool] = mapped_column(Boolean, default=True)
