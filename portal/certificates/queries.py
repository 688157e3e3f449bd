"""Certificate reads for the pages: plain data, participants see only their own."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import LargeBinary, cast, func, select
from sqlalchemy.orm import Session, aliased, undefer

from portal.certificates.eligibility import Claim, claims_for
from portal.certificates.typefaces import unprintable
from portal.errors import NotFound
from portal.models import (
    Certificate,
    CertificateReissueRequest,
    Course,
    Enrollment,
    LiveSession,
    Offering,
    User,
)
from portal.timefmt import local_date

# BRN 16 CCR 1458(c): certificates are issued within 90 days of the course.
ISSUE_WITHIN_DAYS = 90


@dataclass(frozen=True)
class CertificateRow:
    """One issued certificate as listed on a page."""

    id: int
    number: str
    enrollment_id: int
    credit_type_id: str
    status: str
    issued_at: datetime
    participant_name: str
    license: str
    hours: str
    unit: str
    sha256: str
    issue_reason: str
    revoke_reason: str
    supersedes: str
    superseded_by: str
    pending_request: bool
    time_zone: str = "UTC"  # the offering's, in which the issue instant is shown


@dataclass(frozen=True)
class CertificateFile:
    """A frozen certificate PDF and the name to save it under."""

    number: str
    filename: str
    pdf: bytes


@dataclass(frozen=True)
class EnrollmentCertificates:
    """A participant's certificates and claims for one enrollment."""

    enrollment_id: int
    course_title: str
    offering_label: str
    claims: tuple[Claim, ...]
    certificates: tuple[CertificateRow, ...]


@dataclass(frozen=True)
class OfferingIssue:
    """An offering from the CE office's point of view: when certificates are due."""

    id: int
    label: str
    course_title: str
    last_session_on: date | None
    issue_by: date | None
    current: int


@dataclass(frozen=True)
class ReissueRequestRow:
    """A participant's pending request to correct a certificate."""

    id: int
    certificate_id: int
    number: str
    participant_name: str
    profile_name: str
    reason: str
    requested_at: datetime


@dataclass(frozen=True)
class UnprintableName:
    """A participant whose profile name no certificate font prints."""

    user_id: int
    name: str
    email: str
    characters: str


def filename_for(number: str, credit_type_id: str, name: str) -> str:
    """'CE-…_BRN_zoe-nguyen-angstrom.pdf': ASCII, no path characters."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60] or "participant"
    return f"{number}_{credit_type_id}_{slug}.pdf"


def _rows(
    session: Session, *conditions: object, limit: int | None = None, offset: int = 0
) -> list[CertificateRow]:
    newer = aliased(Certificate)
    older = aliased(Certificate)
    pending = (
        select(func.count())
        .where(
            CertificateReissueRequest.certificate_id == Certificate.id,
            CertificateReissueRequest.status == "pending",
        )
        .scalar_subquery()
    )
    query = (
        select(Certificate, newer.number, older.number, pending, Offering.time_zone)
        .join(Enrollment, Enrollment.id == Certificate.enrollment_id)
        .join(Offering, Offering.id == Enrollment.offering_id)
        .outerjoin(newer, newer.id == Certificate.superseded_by_id)
        .outerjoin(older, older.id == Certificate.supersedes_id)
        .where(*conditions)
        .order_by(Certificate.issued_at, Certificate.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        CertificateRow(
            id=row.id,
            number=row.number,
            enrollment_id=row.enrollment_id,
            credit_type_id=row.credit_type_id,
            status=row.status,
            issued_at=row.issued_at,
            participant_name=row.data.get("participant_name", ""),
            license=row.data.get("license", ""),
            hours=row.data.get("hours", ""),
            unit=row.data.get("unit", ""),
            sha256=row.sha256,
            issue_reason=row.issue_reason,
            revoke_reason=row.revoke_reason,
            supersedes=older_number or "",
            superseded_by=newer_number or "",
            pending_request=bool(waiting),
            time_zone=time_zone,
        )
        for row, newer_number, older_number, waiting, time_zone in session.execute(query)
    ]


def participant_certificates(
    session: Session, user_id: int, *, content_dir: Path
) -> list[EnrollmentCertificates]:
    """The person's own enrollments with what they may claim and what was issued."""
    query = (
        select(Enrollment, Offering.label, Course.title)
        .join(Offering, Offering.id == Enrollment.offering_id)
        .join(Course, Course.id == Offering.course_id)
        .where(Enrollment.user_id == user_id)
        .order_by(Enrollment.id.desc())
    )
    return [
        EnrollmentCertificates(
            enrollment_id=enrollment.id,
            course_title=title,
            offering_label=label,
            claims=claims_for(session, enrollment.id, content_dir=content_dir),
            certificates=tuple(_rows(session, Certificate.enrollment_id == enrollment.id)),
        )
        for enrollment, label, title in session.execute(query)
    ]


def _file(row: Certificate) -> CertificateFile:
    name = row.data.get("participant_name", "")
    return CertificateFile(row.number, filename_for(row.number, row.credit_type_id, name), row.pdf)


def participant_certificate_file(session: Session, user_id: int, number: str) -> CertificateFile:
    """One of the person's own certificates: the bytes frozen at issue."""
    query = (
        select(Certificate)
        .options(undefer(Certificate.pdf))
        .join(Enrollment, Enrollment.id == Certificate.enrollment_id)
        .where(Certificate.number == number, Enrollment.user_id == user_id)
    )
    row = session.scalar(query)
    if row is None:
        raise NotFound("No such certificate.")
    return _file(row)


def _offering_certificates_where(offering_id: int, search: str) -> list[object]:
    enrollments = select(Enrollment.id).where(Enrollment.offering_id == offering_id)
    conditions: list[object] = [Certificate.enrollment_id.in_(enrollments)]
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        named = select(Enrollment.id).join(User, User.id == Enrollment.user_id)
        named = named.where(
            Enrollment.offering_id == offering_id, func.lower(User.full_name).like(pattern)
        )
        conditions.append(
            func.lower(Certificate.number).like(pattern) | Certificate.enrollment_id.in_(named)
        )
    return conditions


def offering_certificates(
    session: Session,
    offering_id: int,
    *,
    search: str = "",
    limit: int | None = None,
    offset: int = 0,
) -> list[CertificateRow]:
    """Certificates issued for an offering, in every status (CE office): all of them, or one
    page of those whose number or participant's name contains `search`."""
    return _rows(
        session, *_offering_certificates_where(offering_id, search), limit=limit, offset=offset
    )


def offering_certificates_count(session: Session, offering_id: int, *, search: str = "") -> int:
    """How many certificates offering_certificates lists for this search."""
    query = select(func.count(Certificate.id)).where(
        *_offering_certificates_where(offering_id, search)
    )
    return session.scalar(query) or 0


def offering_certificate_files(session: Session, offering_id: int) -> list[CertificateFile]:
    """The current certificates of an offering, for the ZIP download (CE office)."""
    query = (
        select(Certificate)
        .options(undefer(Certificate.pdf))
        .join(Enrollment, Enrollment.id == Certificate.enrollment_id)
        .where(Enrollment.offering_id == offering_id, Certificate.status == "current")
        .order_by(Certificate.number)
    )
    return [_file(row) for row in session.scalars(query)]


def offerings_for_issue(session: Session) -> list[OfferingIssue]:
    """Every offering with its last session day and the 90-day issue guidance."""
    last = (
        select(LiveSession.offering_id, func.max(LiveSession.ends_at).label("ends"))
        .group_by(LiveSession.offering_id)
        .subquery()
    )
    current = (
        select(Enrollment.offering_id, func.count(Certificate.id).label("n"))
        .join(Certificate, Certificate.enrollment_id == Enrollment.id)
        .where(Certificate.status == "current")
        .group_by(Enrollment.offering_id)
        .subquery()
    )
    query = (
        select(Offering, Course.title, last.c.ends, current.c.n)
        .join(Course, Course.id == Offering.course_id)
        .outerjoin(last, last.c.offering_id == Offering.id)
        .outerjoin(current, current.c.offering_id == Offering.id)
        .order_by(Offering.id.desc())
    )
    result = []
    for offering, title, ends, count in session.execute(query):
        day = local_date(ends, offering.time_zone) if ends else None
        issue_by = day + timedelta(days=ISSUE_WITHIN_DAYS) if day else None
        result.append(OfferingIssue(offering.id, offering.label, title, day, issue_by, count or 0))
    return result


def reissue_requests_pending(session: Session) -> list[ReissueRequestRow]:
    """Requests waiting for the CE office, oldest first."""
    query = (
        select(CertificateReissueRequest, Certificate, User.full_name)
        .join(Certificate, Certificate.id == CertificateReissueRequest.certificate_id)
        .join(User, User.id == CertificateReissueRequest.requested_by_id)
        .where(CertificateReissueRequest.status == "pending")
        .order_by(CertificateReissueRequest.requested_at)
    )
    return [
        ReissueRequestRow(
            id=request.id,
            certificate_id=certificate.id,
            number=certificate.number,
            participant_name=certificate.data.get("participant_name", ""),
            profile_name=profile_name,
            reason=request.reason,
            requested_at=request.requested_at,
        )
        for request, certificate, profile_name in session.execute(query)
    ]


def unprintable_names(session: Session, offering_id: int) -> list[UnprintableName]:
    """Participants of an offering whose names a certificate cannot print (they are told
    to check their profile; the CE office corrects it or contacts them)."""
    # Only names with letters beyond ASCII can fail: the database passes just those on.
    if session.get_bind().dialect.name == "postgresql":
        name_bytes = func.octet_length(User.full_name)
    else:
        name_bytes = func.length(cast(User.full_name, LargeBinary))
    beyond_ascii = name_bytes != func.length(User.full_name)
    query = (
        select(User.id, User.full_name, User.email)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.offering_id == offering_id, Enrollment.status == "active", beyond_ascii)
        .order_by(User.full_name)
    )
    found = []
    for user_id, name, email in session.execute(query):
        if missing := unprintable(name):
            found.append(UnprintableName(user_id, name, email, " ".join(missing)))
    return found
