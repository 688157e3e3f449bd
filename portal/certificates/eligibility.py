"""Who may claim which certificate, and a plain-words checklist of what is still missing.

Credit types a participant may claim come from their licenses (`CreditType.qualifies`).
The certificate of attendance (a credit type that makes no CE claim) is for participants
whose licenses qualify for no CE credit type: someone who can receive CE credit gets that
certificate, not an attendance certificate besides it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.attendance.checklist_section import CHECK_IN_PAGE
from portal.attendance.status import (
    AttendanceSummary,
    attendance_records,
    policy_for,
    summary_of,
)
from portal.certificates.facts import hours_text, license_text
from portal.courses.content import Course, CreditType, course_get
from portal.enrollment.payments import CertificateFee, certificate_fee, certificate_fee_of
from portal.errors import NotFound
from portal.evaluation.eligibility import PAGE as EVALUATION_PAGE
from portal.evaluation.eligibility import evaluation_submitted, row_submitted
from portal.models import Attendance, Certificate, Enrollment, License, LiveSession, Offering, User
from portal.models import Course as CourseRow

if TYPE_CHECKING:
    from portal.learning.facts import EnrollmentFacts

STEP_KEYS = ("enrollment", "attendance", "evaluation", "payment", "license")
# Where each missing step is done; the attendance and evaluation pages are named by their
# capabilities. tests/test_checklist_links.py checks every one is a participant page.
HOME_PAGE = "pages/participant_home.py"
FEES_PAGE = "pages/enroll.py"
PROFILE_PAGE = "pages/profile.py"


@dataclass(frozen=True)
class Step:
    """One condition of a certificate, in plain words, with where to fulfil it."""

    key: str
    label: str
    done: bool
    detail: str = ""
    page: str | None = None


@dataclass(frozen=True)
class Claim:
    """One credit type a participant may claim for one enrollment, and how far along it is."""

    enrollment_id: int
    credit_type_id: str
    credit_type_name: str
    audience: str
    hours: str
    unit: str
    license: str
    steps: tuple[Step, ...]
    current_number: str | None
    revoked_reason: str | None

    @property
    def eligible(self) -> bool:
        """Every condition holds and nothing stands in the way of issuing."""
        return all(step.done for step in self.steps) and self.revoked_reason is None

    @property
    def missing(self) -> tuple[Step, ...]:
        """The conditions not yet met."""
        return tuple(step for step in self.steps if not step.done)


def _evaluation_submitted(session: Session, enrollment_id: int) -> bool:
    """Whether the enrollment's evaluation is submitted (read through the evaluation capability)."""
    return evaluation_submitted(session, enrollment_id)


def credit_types_for(
    course: Course, licenses: list[License]
) -> list[tuple[CreditType, License | None]]:
    """The credit types a person's licenses qualify for, each with the license it uses;
    the attendance certificate only when no CE credit type qualifies."""
    claims = []
    for credit_type in (c for c in course.credit_types if c.makes_ce_claim):
        qualifying = [lic for lic in licenses if credit_type.qualifies(lic.profession, lic.state)]
        if qualifying:
            with_number = [lic for lic in qualifying if (lic.number or "").strip()]
            claims.append((credit_type, (with_number or qualifying)[0]))
    if not claims:
        claims = [(c, None) for c in course.credit_types if not c.makes_ce_claim]
    return claims


def credited_minutes(summary: AttendanceSummary, credit_type: CreditType) -> int:
    """Instructional minutes that earn this credit type's units (all of them before the
    sessions take place, so the checklist shows what full attendance earns)."""
    if credit_type.full_attendance_required or summary.credited_minutes == 0:
        return summary.total_instructional_minutes
    return summary.credited_minutes


def _attendance_step(summary: AttendanceSummary, credit_type: CreditType) -> Step:
    sessions = summary.sessions
    present = sum(1 for s in sessions if s.status == "present")
    met = summary.meets(full_attendance_required=credit_type.full_attendance_required)
    rule = (
        "every session in full is required (no partial credit)"
        if credit_type.full_attendance_required
        else "credit counts the sessions attended in full"
    )
    detail = f"Attended {present} of {len(sessions)} sessions in full; {rule}."
    return Step("attendance", "Attend the live sessions", met, detail, CHECK_IN_PAGE)


def _license_step(credit_type: CreditType, license: License | None) -> Step | None:
    if not credit_type.requires_license_number:
        return None
    number = (license.number or "").strip() if license else ""
    detail = (
        f"License {license_text(license.profession, number, license.state)} is on your profile."
        if license and number
        else f"Add your license number to your profile; the {credit_type.name} certificate prints it."
    )
    return Step("license", "License number on your profile", bool(number), detail, PROFILE_PAGE)


def _steps(
    enrollment: Enrollment,
    credit_type: CreditType,
    license: License | None,
    summary: AttendanceSummary,
    submitted: bool,
    fee: CertificateFee,
) -> tuple[Step, ...]:
    active = enrollment.status == "active"
    steps = [
        Step(
            "enrollment",
            "Active enrollment",
            active,
            "" if active else "This enrollment was cancelled; certificates need an active one.",
            HOME_PAGE,
        ),
        _attendance_step(summary, credit_type),
        Step(
            "evaluation",
            "Submit the evaluation",
            submitted,
            "" if submitted else "The evaluation of the program is required for every certificate.",
            EVALUATION_PAGE,
        ),
        Step("payment", "Pay the registration fee", fee.settled, fee.detail, FEES_PAGE),
    ]
    license_step = _license_step(credit_type, license)
    return tuple(steps + ([license_step] if license_step else []))


def _course_of(session: Session, enrollment: Enrollment, content_dir: Path) -> Course:
    offering = session.get(Offering, enrollment.offering_id)
    course_row = session.get(CourseRow, offering.course_id) if offering else None
    if course_row is None:
        raise NotFound("No such offering.")
    return course_get(content_dir, course_row.slug)


def _certificates(session: Session, enrollment_id: int) -> list[Certificate]:
    query = (
        select(Certificate)
        .where(Certificate.enrollment_id == enrollment_id)
        .order_by(Certificate.id)
    )
    return list(session.scalars(query))


def claims_for(session: Session, enrollment_id: int, *, content_dir: Path) -> tuple[Claim, ...]:
    """Every certificate the enrollment's participant may claim, with its checklist."""
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise NotFound("No such enrollment.")
    user = session.get(User, enrollment.user_id)
    assert user is not None  # guaranteed by the foreign key
    course = _course_of(session, enrollment, content_dir)
    offering = session.get_one(Offering, enrollment.offering_id)
    return claims_from(
        enrollment,
        course,
        list(user.licenses),
        offering.sessions,
        attendance_records(session, [enrollment_id])[enrollment_id],
        submitted=_evaluation_submitted(session, enrollment_id),
        certificates=_certificates(session, enrollment_id),
        fee=certificate_fee(session, enrollment_id),
    )


def certificate_claims(facts: EnrollmentFacts) -> tuple[Claim, ...]:
    """claims_for, from the facts a page read once for all of a person's enrollments."""
    fee = certificate_fee_of(facts.offering, facts.account, facts.fee_waived)
    return claims_from(
        facts.enrollment,
        facts.course,
        list(facts.licenses),
        facts.offering.sessions,
        facts.records,
        submitted=row_submitted(facts.evaluation),
        certificates=list(facts.certificates),
        fee=fee,
    )


def claims_from(
    enrollment: Enrollment,
    course: Course,
    licenses: list[License],
    lives: Sequence[LiveSession],
    records: Mapping[int, Attendance],
    *,
    submitted: bool,
    certificates: list[Certificate],
    fee: CertificateFee,
) -> tuple[Claim, ...]:
    """The claims of one enrollment from what the caller read (certificates in issue order)."""
    issued: dict[str, list[Certificate]] = {}
    for row in certificates:
        issued.setdefault(row.credit_type_id, []).append(row)
    claims = []
    for credit_type, license in credit_types_for(course, licenses):
        # Each credit type judges attendance by its own rule from the course file.
        summary = summary_of(enrollment, lives, records, policy_for(credit_type))
        rows = issued.get(credit_type.id, [])
        current = next((r for r in rows if r.status == "current"), None)
        revoked = next((r for r in reversed(rows) if r.status == "revoked"), None)
        claims.append(
            Claim(
                enrollment_id=enrollment.id,
                credit_type_id=credit_type.id,
                credit_type_name=credit_type.name,
                audience=credit_type.audience,
                hours=hours_text(credit_type.units_for(credited_minutes(summary, credit_type))),
                unit=credit_type.unit,
                license=license_text(license.profession, license.number, license.state)
                if license
                else "",
                steps=_steps(enrollment, credit_type, license, summary, submitted, fee),
                current_number=current.number if current else None,
                revoked_reason=revoked.revoke_reason if revoked and not current else None,
            )
        )
    return tuple(claims)


@dataclass(frozen=True)
class AttendanceRule:
    """What a participant must do at the live sessions of one offering to earn credit."""

    offering_label: str
    missed_minutes: int

    @property
    def text(self) -> str:
        """The rule in plain words, shown before the sessions."""
        return (
            f"{self.offering_label}: arrive on time and stay to the end: more than "
            f"{self.missed_minutes} minutes missed in a session (late, early or in between) "
            "means no credit for this course."
        )


def attendance_rules(
    enrolled: Iterable[tuple[Enrollment, Offering, Course]], licenses: list[License], now: datetime
) -> list[AttendanceRule]:
    """The attendance rule of each active enrollment whose sessions are not all over, oldest
    enrollment first: the strictest tolerance among the credit types the person's licenses
    qualify for. The caller has read the enrollments, offerings and courses already."""
    rules = []
    for enrollment, offering, course in sorted(enrolled, key=lambda item: item[0].id):
        if enrollment.status != "active":
            continue
        rule = attendance_rule_of(offering, course, licenses, now)
        if rule is not None:
            rules.append(rule)
    return rules


def attendance_rule_of(
    offering: Offering, course: Course, licenses: list[License], now: datetime
) -> AttendanceRule | None:
    """The rule of one active enrollment's offering (see attendance_rules); None once
    its sessions are all over or when no credit type applies."""
    if not offering.sessions or offering.sessions[-1].ends_at <= now:
        return None
    types = [credit_type for credit_type, _ in credit_types_for(course, licenses)]
    if not types:
        return None
    return AttendanceRule(offering.label, min(t.max_missed_minutes_per_session for t in types))
