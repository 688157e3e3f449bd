"""What the checklist sections of one enrollment read, loaded once for all of a person's
enrollments (portal.learning.checklist.enrollment_facts) and handed to every section."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.attendance.status import AttendanceSummary
    from portal.courses.content import Course
    from portal.enrollment.payments import EnrollmentAccount
    from portal.materials.queries import MaterialView
    from portal.models import Attendance, Certificate, Enrollment, Evaluation, License, Offering


@dataclass(frozen=True)
class EnrollmentFacts:
    """One enrollment with everything its checklist sections decide from.

    The offering's sessions and course row are loaded; `summary` is the attendance under
    the course's strictest rule (what Home and the evaluation show), computed once.
    """

    enrollment: Enrollment
    offering: Offering
    course: Course
    licenses: tuple[License, ...]
    account: EnrollmentAccount
    fee_waived: bool
    records: dict[int, Attendance]  # by live session id
    summary: AttendanceSummary
    marks: frozenset[str]
    materials: tuple[MaterialView, ...]  # published to the offering (active enrollments only)
    evaluation: Evaluation | None
    certificates: tuple[Certificate, ...]  # in issue order
    now: datetime
