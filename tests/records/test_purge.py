"""Purging an offering past retention takes its attendance, evaluations and certificates
with its enrollments (their foreign keys found from the metadata); a dry run only counts."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from portal import PROJECT_ROOT
from portal.models import (
    Attendance,
    AttendanceChange,
    AuditEvent,
    Certificate,
    CertificateReissueRequest,
    CorrectionRequest,
    Enrollment,
    Evaluation,
    EvaluationAnswer,
    LiveSession,
)
from portal.records.purge import purge_plan, records_purge
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import attendance_full
from tests.factories_records import offering_with_everything

CONTENT = PROJECT_ROOT / "content"
PAST_RETENTION = datetime(2029, 1, 1, tzinfo=UTC)  # the May 2023 offering's 5 years are over
CAPABILITY_TABLES = (
    Attendance,
    AttendanceChange,
    CorrectionRequest,
    Evaluation,
    EvaluationAnswer,
    Certificate,
    CertificateReissueRequest,
)


def _counts(session) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (*CAPABILITY_TABLES, Enrollment, AuditEvent)
    }


def _with_a_recent_offering(session):
    """The purged offering's data, and a recent offering whose records must stay."""
    offering, *_ = offering_with_everything(session)
    recent = offering_make(session)
    enrollment = enrollment_make(session, user_make(session), recent)
    attendance_full(session, enrollment, recent)
    session.flush()
    return offering, recent


def test_the_plan_covers_every_capability_table():
    names = [table.name for table, _ in purge_plan([1])]
    for model in CAPABILITY_TABLES:
        assert model.__tablename__ in names, model.__tablename__
    # children before their parents: answers before evaluations, requests before certificates
    assert names.index("evaluation_answers") < names.index("evaluations")
    assert names.index("certificate_reissue_requests") < names.index("certificates")
    assert names.index("attendance_changes") < names.index("attendance")
    assert names[-1] == "enrollments"


def test_dry_run_counts_capability_rows_and_deletes_nothing(session):
    offering, _ = _with_a_recent_offering(session)
    before = _counts(session)
    report = records_purge(session=session, actor_id=None, content_dir=CONTENT, now=PAST_RETENTION)
    [(offering_id, _, counts)] = report.offerings
    assert offering_id == offering.id and report.dry_run
    assert counts["enrollments"] == 2 and counts["attendance"] == 4
    assert counts["attendance_changes"] == 1 and counts[CorrectionRequest.__tablename__] == 1
    assert counts["evaluations"] == 1 and counts["evaluation_answers"] >= 10
    assert counts["certificates"] == 2 and counts["certificate_reissue_requests"] == 1
    assert _counts(session) == before


def test_purge_leaves_no_attendance_evaluation_or_certificate_rows(session):
    offering, recent = _with_a_recent_offering(session)
    records_purge(
        session=session, actor_id=None, content_dir=CONTENT, now=PAST_RETENTION, dry_run=False
    )
    session.flush()
    remaining = _counts(session)
    for model in CAPABILITY_TABLES[1:]:
        assert remaining[model.__tablename__] == 0, model.__tablename__
    purged = select(Enrollment.id).where(Enrollment.offering_id == offering.id)
    assert session.scalar(select(func.count()).where(Enrollment.offering_id == offering.id)) == 0
    assert session.scalar(select(func.count()).where(Attendance.enrollment_id.in_(purged))) == 0
    # the recent offering keeps its enrollment and attendance; the offering keeps its sessions
    assert remaining["enrollments"] == 1 and remaining["attendance"] == 2
    assert session.scalar(select(func.count()).where(Enrollment.offering_id == recent.id)) == 1
    assert session.scalar(select(func.count()).where(LiveSession.offering_id == offering.id)) == 2
    assert remaining["audit_events"] > 0  # the audit log is kept
