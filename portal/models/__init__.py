"""Mapped classes; importing this package registers every table on Base.metadata."""

from portal.models.attendance import Attendance
from portal.models.attendance_live import (
    AttendanceChange,
    CodeAttempts,
    CodeFailure,
    CodeWindow,
    CorrectionRequest,
    PlatformImport,
)
from portal.models.audit import AuditEvent
from portal.models.base import Base, UTCDateTime, utc_now
from portal.models.certificates import (
    Certificate,
    CertificateReissueRequest,
    VerificationThrottle,
)
from portal.models.courses import Course, Enrollment, LiveSession, Offering, OfferingInstructor
from portal.models.evaluation import Evaluation, EvaluationAnswer, EvaluationRelease
from portal.models.journal import JournalEntry
from portal.models.mail import AccountToken, OutboxMessage, RecordsPurge
from portal.models.materials import (
    MATERIAL_KINDS,
    Material,
    MaterialBlob,
    MaterialVersion,
    ProgressMark,
)
from portal.models.money import CancellationRequest, FeeWaiver, Payment, Refund
from portal.models.people import ROLES, License, SignInThrottle, User

__all__ = [
    "MATERIAL_KINDS",
    "ROLES",
    "AccountToken",
    "Attendance",
    "AttendanceChange",
    "AuditEvent",
    "Base",
    "CancellationRequest",
    "Certificate",
    "CertificateReissueRequest",
    "CodeAttempts",
    "CodeFailure",
    "CodeWindow",
    "CorrectionRequest",
    "Course",
    "Enrollment",
    "Evaluation",
    "EvaluationAnswer",
    "EvaluationRelease",
    "FeeWaiver",
    "JournalEntry",
    "License",
    "LiveSession",
    "Material",
    "MaterialBlob",
    "MaterialVersion",
    "Offering",
    "OfferingInstructor",
    "OutboxMessage",
    "Payment",
    "PlatformImport",
    "ProgressMark",
    "RecordsPurge",
    "Refund",
    "SignInThrottle",
    "UTCDateTime",
    "User",
    "VerificationThrottle",
    "utc_now",
]
