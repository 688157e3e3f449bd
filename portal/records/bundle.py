"""Records for accrediting bodies: the per-offering audit bundle (ZIP) and a person's record.

Both are assembled from each capability's providers, listed below in the order they appear:

    BUNDLE_PARTS     fn(session, offering_id) -> (filename, bytes) | list of them | None
    PERSON_SECTIONS  fn(session, user_id) -> RecordSection | None
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.people import person_get
from portal.accounts.professions import profession_label
from portal.attendance.record_parts import attendance_parts, attendance_section
from portal.authz import admin_check
from portal.certificates.record_parts import certificate_parts, certificate_section
from portal.courses.content import CourseFileError, course_get
from portal.enrollment.payments import enrollment_accounts
from portal.errors import NotFound
from portal.evaluation.record_parts import evaluation_parts, evaluation_section
from portal.models import Enrollment, License, Offering, OfferingInstructor, User, utc_now
from portal.money import money_format
from portal.records.audit import audit_record
from portal.records.audit_log import audit_csv, audit_for, offering_filter, person_filter
from portal.records.audit_verify import audit_chain_head
from portal.records.parts import BundleFile, BundleResult, RecordSection
from portal.settings import settings_load
from portal.tabular import csv_bytes
from portal.timefmt import format_span

BundlePart = Callable[[Session, int], BundleResult]


PersonSection = Callable[[Session, int], RecordSection | None]


def _offering(session: Session, offering_id: int) -> Offering:
    offering = session.get(Offering, offering_id)
    if offering is None:
        raise NotFound("No such offering.")
    return offering


def roster_part(session: Session, offering_id: int) -> BundleFile:
    """roster.csv: every enrollment with name, email and license numbers (BBS 1887.12)."""
    query = (
        select(Enrollment, User)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.offering_id == offering_id)
        .order_by(User.full_name)
    )
    rows = []
    for e, u in session.execute(query):
        for lic in session.scalars(select(License).where(License.user_id == u.id)):
            rows.append(
                [
                    e.id,
                    u.full_name,
                    u.email,
                    profession_label(lic.profession),
                    lic.number or "",
                    lic.state or "",
                    e.status,
                    e.enrolled_at.isoformat(),
                ]
            )
    header = (
        "enrollment_id",
        "name",
        "email",
        "profession",
        "license_number",
        "license_state",
        "status",
        "enrolled_at_utc",
    )
    return "roster.csv", csv_bytes(header, rows)


def course_part(session: Session, offering_id: int) -> BundleFile:
    """course-as-delivered.md: objectives, sessions, materials list, presenter, instructors."""
    offering = _offering(session, offering_id)
    lines = [f"# {offering.course.title}", "", f"Offering: {offering.label} ({offering.time_zone})"]
    lines += ["", "## Sessions"] + [
        f"- {s.title}: {format_span(s.starts_at, s.ends_at, offering.time_zone)}, "
        f"{s.instructional_minutes} instructional minutes"
        for s in offering.sessions
    ]
    teachers = session.scalars(
        select(User.full_name)
        .join(OfferingInstructor, OfferingInstructor.user_id == User.id)
        .where(OfferingInstructor.offering_id == offering_id)
    ).all()
    lines += ["", "## Instructors assigned", *[f"- {t}" for t in teachers]]
    try:
        course = course_get(settings_load().content_dir, offering.course.slug)
    except CourseFileError:
        lines += ["", "(The course file is no longer available.)"]
        return "course-as-delivered.md", "\n".join(lines).encode()
    lines += [
        "",
        f"Format: {course.format}",
        f"Level: {course.instructional_level}",
        f"Sponsor: {course.sponsor.name}, {course.sponsor.address}",
        "",
        "## Presenter",
        course.presenter.display_name,
        "",
        course.presenter.bio.strip(),
        "",
        "## Learning objectives",
        *[f"{i}. {o}" for i, o in enumerate(course.objectives, 1)],
        "",
        "## Materials",
        *[f"- Module: {m.title} (objective {m.objective})" for m in course.modules],
        *[f"- Practice: {p.title} ({p.minutes} min)" for p in course.practices],
        "",
        "## Credit",
        *[
            f"- {c.name}: {c.credit_line.format(hours=c.units_for(sum(s.instructional_minutes for s in offering.sessions)))}"
            for c in course.credit_types
        ],
    ]
    return "course-as-delivered.md", "\n".join(lines).encode()


def money_part(session: Session, offering_id: int) -> BundleFile:
    """payments-and-refunds.csv: fee, paid, refunded and the cancellation of each enrollment."""
    rows = [
        [
            a.enrollment_id,
            a.full_name,
            a.status,
            money_format(a.fee_cents),
            money_format(a.paid_cents),
            money_format(a.refunded_cents),
            money_format(a.refund_due_cents),
            a.cancellation,
            "provider" if a.by_provider else ("participant" if a.cancellation else ""),
        ]
        for a in enrollment_accounts(session, offering_id=offering_id)
    ]
    header = (
        "enrollment_id",
        "name",
        "status",
        "fee",
        "paid",
        "refunded",
        "refund_due",
        "cancellation",
        "cancelled_by",
    )
    return "payments-and-refunds.csv", csv_bytes(header, rows)


def audit_part(session: Session, offering_id: int) -> BundleFile:
    """audit-events.csv: every audit event about the offering or its enrollments."""
    return "audit-events.csv", audit_csv(audit_for(session, offering_filter(offering_id)))


# The bundle's parts in file order.
BUNDLE_PARTS: tuple[BundlePart, ...] = (
    roster_part,
    course_part,
    money_part,
    attendance_parts,
    evaluation_parts,
    certificate_parts,
    audit_part,
)


def _files(result: BundleResult) -> list[BundleFile]:
    if result is None:
        return []
    if len(result) == 2 and isinstance(result[0], str) and isinstance(result[1], bytes):
        return [result]  # type: ignore[list-item]
    return list(result)  # type: ignore[arg-type]


def zip_render(files: Sequence[BundleFile], when: datetime) -> bytes:
    """A ZIP of the files (pure)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def records_bundle(
    *, session: Session, actor_id: int, offering_id: int, now: datetime | None = None
) -> bytes:
    """The offering's audit bundle as a ZIP, with a manifest of checksums; the export is audited."""
    admin_check(session, actor_id)
    now = now or utc_now()
    offering = _offering(session, offering_id)
    files = [f for part in BUNDLE_PARTS for f in _files(part(session, offering_id))]
    manifest = [
        f"Records of {offering.course.title} — {offering.label}",
        f"Generated {now.isoformat()}",
        "",
    ]
    manifest += [f"{hashlib.sha256(data).hexdigest()}  {name}" for name, data in files]
    head = audit_chain_head(session)
    # Kept with the records, the head lets anyone later check that no earlier audit event
    # was removed or rewritten: `portal audit verify --expect HASH`.
    manifest += [
        "",
        f"Audit chain head: event {head.last_id} of {head.events}, hash {head.hash}",
    ]
    audit_record(
        session=session,
        actor_id=actor_id,
        action="records.export",
        subject_type="offering",
        subject_id=offering_id,
        details={"offering_id": offering_id, "files": [n for n, _ in files]},
    )
    return zip_render([("MANIFEST.txt", "\n".join(manifest).encode()), *files], now)


def account_section(session: Session, user_id: int) -> RecordSection:
    """The account: role, state and licenses."""
    p = person_get(session, user_id)
    row = {
        "Username": p.username,
        "Name": p.full_name,
        "Email": p.email,
        "Role": p.role,
        "Active": "yes" if p.is_active else "no",
        "Licenses": p.licenses,
        "Created (UTC)": f"{p.created_at:%Y-%m-%d %H:%M}",
    }
    return RecordSection("Account", (row,))


def enrollments_section(session: Session, user_id: int) -> RecordSection:
    """Enrollments with fee, payments, refunds and cancellation."""
    rows = tuple(
        {
            "Offering": a.offering_label,
            "Status": a.status,
            "Fee": money_format(a.fee_cents),
            "Paid": money_format(a.paid_cents),
            "Refunded": money_format(a.refunded_cents),
            "Owed": money_format(a.owed_cents),
            "Refund due": money_format(a.refund_due_cents),
            "Cancellation": a.cancellation or "—",
        }
        for a in enrollment_accounts(session, user_id=user_id)
    )
    return RecordSection("Enrollments and fees", rows)


def audit_section(session: Session, user_id: int) -> RecordSection:
    """Audit events about the person and their enrollments."""
    rows = tuple(
        {
            "When (UTC)": f"{r.at:%Y-%m-%d %H:%M}",
            "By": r.actor,
            "Action": r.action,
            "Reason": r.reason,
            "Details": r.details,
        }
        for r in audit_for(session, person_filter(user_id))
    )
    return RecordSection("Audit events", rows)


# A person's record, section by section.
PERSON_SECTIONS: tuple[PersonSection, ...] = (
    account_section,
    enrollments_section,
    attendance_section,
    evaluation_section,
    certificate_section,
    audit_section,
)


def person_record(session: Session, actor_id: int, user_id: int) -> list[RecordSection]:
    """One person's whole record, section by section (admins)."""
    admin_check(session, actor_id)
    sections = (fn(session, user_id) for fn in PERSON_SECTIONS)
    return [s for s in sections if s is not None]
