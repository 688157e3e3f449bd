"""Audit bundle, person record, retention purge, and the append-only audit log."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from portal import PROJECT_ROOT
from portal.enrollment.cancellations import cancellation_request
from portal.enrollment.payments import payment_record
from portal.models import AuditEvent, CancellationRequest, Enrollment, Payment, RecordsPurge
from portal.records import bundle as records
from portal.records.audit import audit_record
from portal.records.audit_log import audit_csv, audit_search
from portal.records.purge import records_purge, retention_list
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_enrollment import workshop_offering


def _enrolled_and_paid(session, course):
    offering = workshop_offering(session, course)
    admin = user_make(session, role="admin")
    user = user_make(session, full_name="Ana López", license_number="LMFT 4242")
    enrollment = enrollment_make(session, user, offering)
    payment_record(
        session=session,
        actor_id=admin.id,
        enrollment_id=enrollment.id,
        amount="225",
        paid_on=date(2023, 4, 1),
        reference="CHK-7",
    )
    return offering, admin, user, enrollment


def test_bundle_has_roster_course_money_and_audit(session, course, app_env):
    offering, admin, _, _ = _enrolled_and_paid(session, course)
    data = records.records_bundle(session=session, actor_id=admin.id, offering_id=offering.id)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == [
        "MANIFEST.txt",
        "attendance-changes.csv",
        "attendance-roster.csv",
        "audit-events.csv",
        "certificates.csv",
        "course-as-delivered.md",
        "evaluation-responses.csv",
        "evaluation-summary.pdf",
        "payments-and-refunds.csv",
        "roster.csv",
    ]
    roster = archive.read("roster.csv").decode("utf-8-sig")
    assert "Ana López" in roster and "LMFT 4242" in roster and ",CA," in roster
    delivered = archive.read("course-as-delivered.md").decode()
    assert "Michelle Becker, M.A., LMFT" in delivered
    assert "Identify the three emotion regulation systems" in delivered
    assert "Thu, May 18, 2023, 9:00 AM – 12:00 PM PDT" in delivered
    assert "payment.record" in archive.read("audit-events.csv").decode()
    assert "$225.00" in archive.read("payments-and-refunds.csv").decode()
    export = session.scalars(select(AuditEvent).where(AuditEvent.action == "records.export")).one()
    assert export.actor_id == admin.id and export.details["offering_id"] == offering.id


def plugged_file(session, offering_id):
    """A test part giving one file."""
    return ("attendance.csv", f"offering {offering_id}".encode())


def plugged_files(session, offering_id):
    """A test part giving several files."""
    return [("certificates/1.pdf", b"%PDF"), ("certificates/2.pdf", b"%PDF")]


def plugged_nothing(session, offering_id):
    """A test part with nothing to add."""
    return None


def plugged_section(session, user_id):
    """A test section of a person's record."""
    return records.RecordSection("Plugged", ({"Session": "1", "Present": "yes"},))


def test_bundle_and_person_record_take_plugged_in_parts(session, course, app_env, monkeypatch):
    offering, admin, user, _ = _enrolled_and_paid(session, course)
    monkeypatch.setattr(
        records,
        "BUNDLE_PARTS",
        (*records.BUNDLE_PARTS, plugged_file, plugged_files, plugged_nothing),
    )
    names = zipfile.ZipFile(
        io.BytesIO(
            records.records_bundle(session=session, actor_id=admin.id, offering_id=offering.id)
        )
    ).namelist()
    assert {"attendance.csv", "certificates/1.pdf", "certificates/2.pdf"} <= set(names)
    monkeypatch.setattr(records, "PERSON_SECTIONS", (*records.PERSON_SECTIONS[:2], plugged_section))
    titles = [s.title for s in records.person_record(session, admin.id, user.id)]
    assert titles == ["Account", "Enrollments and fees", "Plugged"]
    [fees] = [
        s
        for s in records.person_record(session, admin.id, user.id)
        if s.title == "Enrollments and fees"
    ]
    assert fees.rows[0]["Paid"] == "$225.00"


def test_every_part_and_section_is_listed_once():
    assert len(set(records.BUNDLE_PARTS)) == len(records.BUNDLE_PARTS)
    assert len(set(records.PERSON_SECTIONS)) == len(records.PERSON_SECTIONS)


def test_purge_counts_first_then_deletes_only_what_is_past_retention(session, course, monkeypatch):
    offering, _, user, enrollment = _enrolled_and_paid(session, course)
    cancellation_request(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        statement="cancel",
        expected_refund_cents=0,
        now=datetime(2023, 5, 20, tzinfo=UTC),
    )
    recent = offering_make(session)
    enrollment_make(session, user_make(session), recent)
    content_dir = PROJECT_ROOT / "content"
    within = datetime(2028, 5, 26, 6, 59, tzinfo=UTC)  # 11:59 pm PDT May 25, 2028: kept
    assert (
        records_purge(session=session, actor_id=None, content_dir=content_dir, now=within).offerings
        == ()
    )
    after = datetime(2028, 5, 26, 7, 0, tzinfo=UTC)  # midnight PDT: 5 years after May 25, 2023
    [row] = [r for r in retention_list(session, content_dir, after) if r.offering_id == offering.id]
    assert (row.purge_after, row.due, row.retention_years) == (date(2028, 5, 25), True, 5)
    dry = records_purge(session=session, actor_id=None, content_dir=content_dir, now=after)
    [(offering_id, _, counts)] = dry.offerings
    assert offering_id == offering.id
    assert (
        counts["enrollments"] == 1
        and counts["payments"] == 1
        and counts["cancellation_requests"] == 1
    )
    assert session.scalar(select(func.count()).select_from(Payment)) == 1  # dry run kept it
    records_purge(session=session, actor_id=None, content_dir=content_dir, now=after, dry_run=False)
    assert session.scalar(select(func.count()).where(Enrollment.offering_id == offering.id)) == 0
    assert session.scalar(select(func.count()).select_from(Payment)) == 0
    assert session.scalar(select(func.count()).select_from(CancellationRequest)) == 0
    assert session.scalar(select(func.count()).where(Enrollment.offering_id == recent.id)) == 1
    assert session.get(RecordsPurge, offering.id).counts["enrollments"] == 1
    assert (
        records_purge(session=session, actor_id=None, content_dir=content_dir, now=after).offerings
        == ()
    )
    purge_event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "records.purge")
    ).one()
    assert purge_event.actor_id is None


def test_audit_log_is_append_only_in_the_database(session):
    event = audit_record(
        session=session,
        actor_id=None,
        action="test.event",
        subject_type="x",
        subject_id=1,
        reason="why",
    )
    session.commit()
    for statement in ("UPDATE audit_events SET reason = 'changed'", "DELETE FROM audit_events"):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    assert session.get(AuditEvent, event.id).reason == "why"


def test_audit_search_filters_and_exports(session):
    admin, other = user_make(session, role="admin", username="boss"), user_make(session)
    offering = offering_make(session)
    audit_record(
        session=session,
        actor_id=admin.id,
        action="role.change",
        subject_type="user",
        subject_id=other.id,
        reason="needs access",
    )
    audit_record(
        session=session,
        actor_id=other.id,
        action="offering.update",
        subject_type="offering",
        subject_id=offering.id,
    )
    session.flush()
    assert [r.action for r in audit_search(session, actor="boss")] == ["role.change"]
    assert [r.action for r in audit_search(session, action="offering.update")] == [
        "offering.update"
    ]
    assert [r.action for r in audit_search(session, offering_id=offering.id)] == ["offering.update"]
    assert audit_search(session, since=date.today() + timedelta(days=2)) == []
    assert len(audit_search(session, until=date.today() + timedelta(days=1))) == 2
    csv_text = audit_csv(audit_search(session)).decode("utf-8-sig")
    assert (
        csv_text.splitlines()[0].startswith("id,at_utc,actor,action") and "needs access" in csv_text
    )
