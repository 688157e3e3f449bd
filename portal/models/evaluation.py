"""Evaluations: one per enrollment (draft, then submitted) and their answers, one row each.

Answers live in their own table with a numeric and a text value so that SQL can count,
average and take medians per question without loading responses into Python.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utc_now


class Evaluation(Base):
    """A participant's evaluation of an offering; the unique enrollment makes it one each."""

    __tablename__ = "evaluations"
    __table_args__ = (
        UniqueConstraint("enrollment_id"),
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        CheckConstraint("(status = 'submitted') = (submitted_at IS NOT NULL)", name="submitted_at"),
        Index("ix_evaluations_offering_id_status", "offering_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="RESTRICT"))
    # Copied from the enrollment so that an offering's aggregates need no join.
    offering_id: Mapped[int] = mapped_column(ForeignKey("offerings.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The batch in which the response became visible to staff (None: not yet released).
    release_batch: Mapped[int | None] = mapped_column(Integer, nullable=True)


class EvaluationAnswer(Base):
    """One answer: a number (scale, rating, yes=1/no=0, option index) or a text.

    A multiple-choice answer has one row per chosen option; `item` tells them apart.
    """

    __tablename__ = "evaluation_answers"
    __table_args__ = (UniqueConstraint("evaluation_id", "question_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="RESTRICT"))
    question_id: Mapped[str] = mapped_column(String(64))
    item: Mapped[int] = mapped_column(Integer, default=0)
    value_num: Mapped[float | None] = mapped_column(Float, nullable=True)
    value_text: Mapped[str | None] = mapped_column(Text, nullable=True)


class EvaluationRelease(Base):
    """Per offering: how many responses staff may see while the evaluation is open (released
    in batches of at least the minimum group size), and the seed of the export order."""

    __tablename__ = "evaluation_releases"

    offering_id: Mapped[int] = mapped_column(
        ForeignKey("offerings.id", ondelete="CASCADE"), primary_key=True
    )
    order_seed: Mapped[str] = mapped_column(String(32))
    released: Mapped[int] = mapped_column(Integer, default=0)
    batches: Mapped[int] = mapped_column(Integer, default=0)
