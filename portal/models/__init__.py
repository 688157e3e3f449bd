"""Mapped classes; importing this package registers every table on Base.metadata."""

from portal.models.attendance import Attendance
from portal.models.audit import AuditEvent
from portal.models.base import Base, UTCDateTime, utc_now
from portal.models.certificates import (
    Certificate,
    CertificateReissueRequest,
    VerificationThrottle,
)
from portal.models.courses import Course, Enrollment, LiveSession, Offering, OfferingInstructor
from portal.models.people import ROLES, License, User

__all__ = [
    "ROLES",
    "Attendance",
    "AuditEvent",
    "Base",
    "Certificate",
    "CertificateReissueRequest",
    "Course",
    "Enrollment",
    "License",
    "LiveSession",
    "Offering",
    "OfferingInstructor",
    "UTCDateTime",
    "User",
    "VerificationThrottle",
    "utc_now",
]
