"""Mapped classes; importing this package registers every table on Base.metadata."""

from portal.models.audit import AuditEvent
from portal.models.base import Base, UTCDateTime, utc_now
from portal.models.courses import Course, Enrollment, LiveSession, Offering, OfferingInstructor
from portal.models.mail import AccountToken, OutboxMessage, RecordsPurge
from portal.models.money import CancellationRequest, Payment, Refund
from portal.models.people import ROLES, License, User

__all__ = [
    "ROLES",
    "AccountToken",
    "AuditEvent",
    "Base",
    "CancellationRequest",
    "Course",
    "Enrollment",
    "License",
    "LiveSession",
    "Offering",
    "OfferingInstructor",
    "OutboxMessage",
    "Payment",
    "RecordsPurge",
    "Refund",
    "UTCDateTime",
    "User",
    "utc_now",
]
