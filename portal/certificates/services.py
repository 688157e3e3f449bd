"""Certificate services: claim (first issue, frozen), reissue, revoke, reissue requests.

The PDF made at first issue is stored with its SHA-256 and the data it was made from;
downloads return those bytes. A correction is a reissue: a new number that supersedes
the old one. Every change writes an audit event in the same transaction.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.attendance.status import attendance_summary, policy_for
from portal.authz import admin_check
from portal.certificates.eligibility import Claim, claims_for, credit_types_for, credited_minutes
from portal.certificates.facts import CertificateData, Issuer, certificate_data, license_text
from portal.certificates.font_files import UnprintableText
from portal.certificates.notify import certificate_ready_mail
from portal.certificates.numbers import number_new
from portal.certificates.render import certificate_pdf
from portal.certificates.typefaces import unprintable
from portal.courses.content import Course, course_get
from portal.errors import FieldErrors, NotAllowed, NotFound, PortalError
from portal.logs import logger
from portal.models import (
    Certificate,
    CertificateReissueRequest,
    Enrollment,
    Offering,
    User,
    utc_now,
)
from portal.records.audit import audit_record
from portal.timefmt import local_date

log = logger(__name__)

_NUMBER_ATTEMPTS = 3


def reason_required(value: str, field: str = "reason") -> str:
    """A reason for the audit record, or a field error."""
    value = (value or "").strip()
    if not value:
        raise FieldErrors({field: "Please give a reason; it is kept in the audit record."})
    return value


def _shown(characters: list[str]) -> str:
    return ", ".join(f"“{c}” (U+{ord(c):04X})" for c in characters)


def name_print_problem(name: str) -> str:
    """What a participant should do when no certificate font prints their name; '' when
    one does."""
    if not (missing := unprintable(name)):
        return ""
    return (
        f"A certificate cannot print your name as your profile has it: no font has "
        f"{_shown(missing)}. Check your name in Profile. If it is written right, the CE office "
        "sees it on its Issued certificates page and will contact you."
    )


def _course(session: Session, offering: Offering, issuer: Issuer) -> Course:
    return course_get(issuer.content_dir, offering.course.slug)


def _store(
    session: Session, *, enrollment_id: int, data: CertificateData, issuer: Issuer, **fields: object
) -> Certificate:
    """Render once and keep the bytes, their hash and the data (the frozen certificate)."""
    try:
        pdf = certificate_pdf(data, issuer.signature)
    except UnprintableText as error:
        # Never a certificate with a blank or a box where a letter should be.
        raise PortalError(
            f"A certificate cannot print {_shown(error.characters)}: no font has it. "
            "Correct the profile first."
        ) from None
    row = Certificate(
        number=data.number,
        enrollment_id=enrollment_id,
        credit_type_id=data.credit_type_id,
        status="current",
        data=data.to_json(),
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def _current(session: Session, enrollment_id: int, credit_type_id: str) -> Certificate | None:
    query = select(Certificate).where(
        Certificate.enrollment_id == enrollment_id,
        Certificate.credit_type_id == credit_type_id,
        Certificate.status == "current",
    )
    return session.scalar(query)


def _first_issue(
    session: Session, enrollment: Enrollment, claim: Claim, issuer: Issuer, now: datetime
) -> tuple[Certificate, bool]:
    """The issued certificate, and whether this call issued it (False: a racer did)."""
    offering = enrollment_offering(session, enrollment)
    course = _course(session, offering, issuer)
    credit_type = course.credit_type(claim.credit_type_id)
    summary = attendance_summary(session, enrollment.id, policy_for(credit_type))
    user = session.get(User, enrollment.user_id)
    assert user is not None  # guaranteed by the foreign key
    for _ in range(_NUMBER_ATTEMPTS):
        data = certificate_data(
            course=course,
            credit_type=credit_type,
            number=number_new(),
            participant_name=user.full_name,
            license=claim.license,
            days=[local_date(s.starts_at, offering.time_zone) for s in offering.sessions],
            instructional_minutes=credited_minutes(summary, credit_type),
            issued_on=local_date(now, offering.time_zone),
            issuer=issuer,
        )
        try:
            with session.begin_nested():
                row = _store(
                    session,
                    enrollment_id=enrollment.id,
                    data=data,
                    issuer=issuer,
                    issued_at=now,
                    issued_by_id=user.id,
                )
            log.info(
                "certificate issued",
                extra={"certificate": row.number, "enrollment": enrollment.id},
            )
            return row, True
        except IntegrityError:
            # A concurrent request issued it first (one current per enrollment and credit
            # type is a unique index), or, once in ~10^16, the random number was taken.
            if existing := _current(session, enrollment.id, credit_type.id):
                return existing, False
    raise PortalError("The certificate could not be issued; please try again.")


def enrollment_offering(session: Session, enrollment: Enrollment) -> Offering:
    """The enrollment's offering."""
    offering = session.get(Offering, enrollment.offering_id)
    assert offering is not None  # guaranteed by the foreign key
    return offering


def certificate_claim(
    *,
    session: Session,
    user_id: int,
    enrollment_id: int,
    credit_type_id: str,
    issuer: Issuer,
    now: datetime | None = None,
) -> str:
    """Issue the participant's certificate of one credit type (once); its number."""
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.user_id != user_id:
        raise NotFound("No such enrollment.")
    claims = claims_for(session, enrollment_id, content_dir=issuer.content_dir)
    claim = next((c for c in claims if c.credit_type_id.lower() == credit_type_id.lower()), None)
    if claim is None:
        raise NotAllowed("Your licenses on your profile do not qualify for this certificate.")
    if claim.current_number:
        return claim.current_number  # a double click gets the same certificate
    if claim.revoked_reason is not None:
        raise PortalError("The CE office revoked this certificate; please contact them.")
    if not claim.eligible:
        missing = "; ".join(step.label.lower() for step in claim.missing)
        raise PortalError(f"The certificate is not available yet. Still missing: {missing}.")
    user = session.get(User, user_id)
    if user is not None and (problem := name_print_problem(user.full_name)):
        raise PortalError(problem)
    row, issued = _first_issue(session, enrollment, claim, issuer, now or utc_now())
    if issued:
        certificate_ready_mail(session=session, certificate=row, issuer=issuer)
        audit_record(
            session=session,
            actor_id=user_id,
            action="certificate.issue",
            subject_type="certificate",
            subject_id=row.id,
            details={
                "number": row.number,
                "credit_type": row.credit_type_id,
                "enrollment_id": enrollment_id,
                "sha256": row.sha256,
            },
        )
    return row.number


def _license_now(old: Certificate, course: Course, user: User) -> str:
    """The license as the profile has it now, printed only where the credit type needs it."""
    credit_type = course.credit_type(old.credit_type_id)
    if not credit_type.requires_license_number:
        return ""
    for candidate, license in credit_types_for(course, list(user.licenses)):
        if candidate.id == credit_type.id and license is not None and license.number:
            return license_text(license.profession, license.number, license.state)
    raise PortalError("The participant's profile has no license number for this certificate.")


def _mark(session: Session, certificate_id: int, **values: object) -> None:
    """Move a current certificate to another status; refuse when it is no longer current
    (a concurrent reissue or revocation got there first)."""
    result = session.execute(
        update(Certificate)
        .where(Certificate.id == certificate_id, Certificate.status == "current")
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        raise PortalError("This certificate is no longer current; reload the page.")


def certificate_supersede(
    session: Session,
    old: Certificate,
    *,
    actor_id: int,
    reason: str,
    issuer: Issuer,
    now: datetime,
) -> Certificate:
    """A new current certificate replacing `old`: the same credit facts, the profile's name
    and license as they are now, a new number; the old one is marked superseded."""
    enrollment = session.get(Enrollment, old.enrollment_id)
    assert enrollment is not None  # guaranteed by the foreign key
    offering = enrollment_offering(session, enrollment)
    user = session.get(User, enrollment.user_id)
    assert user is not None
    license = _license_now(old, _course(session, offering, issuer), user)
    number = number_new()
    data = dataclasses.replace(
        CertificateData.from_json(old.data),
        number=number,
        participant_name=user.full_name,
        license=license,
        issued_on=local_date(now, offering.time_zone),
        administrator_name=issuer.administrator_name,
        administrator_title=issuer.administrator_title,
        verify_url=issuer.verify_url(number),
        supersedes=old.number,
        demo=old.data.get("demo", False) or issuer.demo,  # a demo record never turns real
    )
    _mark(session, old.id, status="superseded")
    row = _store(
        session,
        enrollment_id=enrollment.id,
        data=data,
        issuer=issuer,
        issued_at=now,
        issued_by_id=actor_id,
        issue_reason=reason,
        supersedes_id=old.id,
    )
    old.superseded_by_id = row.id
    log.info("certificate reissued", extra={"certificate": row.number, "replaces": old.number})
    certificate_ready_mail(session=session, certificate=row, issuer=issuer)
    audit_record(
        session=session,
        actor_id=actor_id,
        action="certificate.reissue",
        subject_type="certificate",
        subject_id=row.id,
        reason=reason,
        details={
            "old_number": old.number,
            "new_number": row.number,
            "name_before": old.data.get("participant_name"),
            "name_after": user.full_name,
            "license_before": old.data.get("license"),
            "license_after": data.license,
        },
    )
    return row


def certificate_get(session: Session, certificate_id: int) -> Certificate:
    """A certificate by id."""
    row = session.get(Certificate, certificate_id)
    if row is None:
        raise NotFound("No such certificate.")
    return row


def certificate_reissue(
    *,
    session: Session,
    certificate_id: int,
    actor_id: int,
    reason: str,
    issuer: Issuer,
    now: datetime | None = None,
) -> str:
    """Admin: a new certificate with today's profile name and license; its number."""
    admin_check(session, actor_id)
    reason = reason_required(reason)
    old = certificate_get(session, certificate_id)
    return certificate_supersede(
        session, old, actor_id=actor_id, reason=reason, issuer=issuer, now=now or utc_now()
    ).number


def certificate_revoke(
    *,
    session: Session,
    certificate_id: int,
    actor_id: int,
    reason: str,
    now: datetime | None = None,
) -> str:
    """Admin: revoke a current certificate (verification then shows it as revoked); its number."""
    admin_check(session, actor_id)
    reason = reason_required(reason)
    row = certificate_get(session, certificate_id)
    now = now or utc_now()
    log.info("certificate revoked", extra={"certificate": row.number})
    _mark(
        session,
        row.id,
        status="revoked",
        revoked_at=now,
        revoked_by_id=actor_id,
        revoke_reason=reason,
    )
    session.execute(
        update(CertificateReissueRequest)
        .where(
            CertificateReissueRequest.certificate_id == row.id,
            CertificateReissueRequest.status == "pending",
        )
        .values(
            status="declined",
            decided_at=now,
            decided_by_id=actor_id,
            decision_note="The certificate was revoked.",
        )
    )
    audit_record(
        session=session,
        actor_id=actor_id,
        action="certificate.revoke",
        subject_type="certificate",
        subject_id=row.id,
        reason=reason,
        details={"number": row.number},
    )
    return row.number
