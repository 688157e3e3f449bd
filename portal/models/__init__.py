"""Mapped classes; importing this package registers every table on Base.metadata."""

from portal.models.attendance import Attendance
from portal.models.audit import AuditEvent
from portal.models.base import Base, UTCDateTime, utc_now
from portal.models.courses import Course, Enrollment, LiveSession, Offering, OfferingInstructor
from portal.models.evaluation import Evaluation, EvaluationAnswer
from portal.models.people import ROLES, License, User

__all__ = [
    "ROLES",
    "Attendance",
    "AuditEvent",
    "Base",
    "Course",
    "Enrollment",
    "Evaluation",
    "EvaluationAnswer",
    "License",
    "LiveSession",
    "Offering",
    "OfferingInstructor",
    "UTCDateTime",
    "User",
    "utc_now",
]
