"""Certificates in the CE office's records: the bundle's register and current PDFs, and a
person's certificates.

Listed by name in portal.records.bundle (BUNDLE_PARTS, PERSON_SECTIONS); this module imports
portal.records.bundle, never the other way round.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from portal.certificates.queries import offering_certificate_files, offering_certificates
from portal.models import Certificate, Enrollment, Offering
from portal.records.parts import BundleFile, RecordSection
from portal.tabular import csv_bytes

REGISTER_HEADER = (
    "number", "enrollment_id", "participant_name", "license", "credit_type", "hours", "unit",
    "status", "supersedes", "superseded_by", "issued_at_utc", "issue_reason", "revoke_reason",
    "sha256",
)  # fmt: skip


def certificate_parts(session: Session, offering_id: int) -> list[BundleFile]:
    """certificates.csv (every certificate in every status, with its SHA-256) and the
    current certificates' frozen PDFs under certificates/."""
    register = [
        [
            r.number, r.enrollment_id, r.participant_name, r.license, r.credit_type_id, r.hours,
            r.unit, r.status, r.supersedes, r.superseded_by, r.issued_at.isoformat(),
            r.issue_reason, r.revoke_reason, r.sha256,
        ]
        for r in offering_certificates(session, offering_id)
    ]  # fmt: skip
    pdfs = [
        (f"certificates/{f.filename}", f.pdf)
        for f in offering_certificate_files(session, offering_id)
    ]
    return [("certificates.csv", csv_bytes(REGISTER_HEADER, register)), *pdfs]


def certificate_section(session: Session, user_id: int) -> RecordSection | None:
    """The person's certificates: number, credit type, status and what it replaced."""
    query = (
        select(Certificate, Offering.label)
        .join(Enrollment, Enrollment.id == Certificate.enrollment_id)
        .join(Offering, Offering.id == Enrollment.offering_id)
        .where(Enrollment.user_id == user_id)
        .options(defer(Certificate.pdf), defer(Certificate.data))
        .order_by(Certificate.issued_at, Certificate.id)
    )
    found = list(session.execute(query))
    if not found:
        return None
    numbers = {c.id: c.number for c, _ in found}
    rows = tuple(
        {
            "Offering": label,
            "Number": c.number,
            "Credit type": c.credit_type_id,
            "Status": c.status,
            "Issued (UTC)": f"{c.issued_at:%Y-%m-%d %H:%M}",
            "Supersedes": numbers.get(c.supersedes_id or 0, "—"),
            "Superseded by": numbers.get(c.superseded_by_id or 0, "—"),
            "Revocation reason": c.revoke_reason or "—",
        }
        for c, label in found
    )
    return RecordSection("Certificates", rows)
