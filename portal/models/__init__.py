"""Mapped classes; importing this package registers every table on Base.metadata."""

from portal.models.attendance import Attendance
from portal.models.attendance_live import (
    AttendanceChange,
    CodeFailure,
    CodeWindow,
    CorrectionRequest,
    PlatformImport,
)
from portal.models.audit import AuditEvent
from portal.models.base import Base, UTCDateTime, utc_now
from portal.models.courses import Course, Enrollment, LiveSession, Offering, OfferingInstructor
from portal.models.journal import JournalEntry
from portal.models.materials import (
    MATERIAL_KINDS,
    Material,
    MaterialBlob,
    MaterialVersion,
    ProgressMark,
)
from portal.models.people import ROLES, License, User

__all__ = [
    "MATERIAL_KINDS",
    "ROLES",
    "Attendance",
    "AttendanceChange",
    "AuditEvent",
    "Base",
    "CodeFailure",
    "CodeWindow",
    "CorrectionRequest",
    "Course",
    "Enrollment",
    "JournalEntry",
    "License",
    "LiveSession",
    "Material",
    "MaterialBlob",
    "MaterialVersion",
    "Offering",
    "OfferingInstructor",
    "PlatformImport",
    "ProgressMark",
    "UTCDateTime",
    "User",
    "utc_now",
]
