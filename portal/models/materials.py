"""Materials instructors upload, their stored versions and file bytes, and progress marks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utc_now

MATERIAL_KINDS = ("pdf", "audio", "video", "image", "markdown", "link")


class MaterialBlob(Base):
    """File bytes known by their SHA-256; the bytes live in the storage folder (portal.storage)."""

    __tablename__ = "material_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Material(Base):
    """One item of a course (or of one offering): a file or a link, placed in a module."""

    __tablename__ = "materials"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('pdf', 'audio', 'video', 'image', 'markdown', 'link')", name="kind"
        ),
        CheckConstraint("(kind = 'link') = (url IS NOT NULL)", name="link_has_url"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    # None: the material belongs to every offering of the course.
    offering_id: Mapped[int | None] = mapped_column(
        ForeignKey("offerings.id"), nullable=True, index=True
    )
    # "general", "module:<id>" or "practice:<id>" from the course's content.
    placement: Mapped[str] = mapped_column(String(120), default="general")
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    published: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    versions: Mapped[list[MaterialVersion]] = relationship(
        back_populates="material", order_by="MaterialVersion.number", cascade="all, delete-orphan"
    )

    @property
    def current(self) -> MaterialVersion | None:
        """The newest file version; None for links."""
        return self.versions[-1] if self.versions else None


class MaterialVersion(Base):
    """One uploaded file of a material; replacing a file adds a version and keeps the old."""

    __tablename__ = "material_versions"
    __table_args__ = (UniqueConstraint("material_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(
        ForeignKey("materials.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("material_blobs.sha256"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    material: Mapped[Material] = relationship(back_populates="versions")


class ProgressMark(Base):
    """A participant marked one course item complete in one enrollment."""

    __tablename__ = "progress_marks"
    __table_args__ = (UniqueConstraint("enrollment_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    # "module:<id>", "practice:<id>" or "material:<id>".
    item_key: Mapped[str] = mapped_column(String(140))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
