"""Retention counts from facts an edit cannot move: when the offering ended (recorded once)
and the latest certificate issued; `portal records purge` reports per offering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from portal import PROJECT_ROOT
from portal.certificates.services import certificate_claim
from portal.cli import main as cli
from portal.models import Attendance, Enrollment, LiveSession, Offering, utc_now
from portal.records.purge import records_purge, retention_list
from portal.records.retention import offerings_ended_record
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import attendance_full
from tests.factories_certificates import evaluation_set, issuer_make, participant_ready
from tests.factories_evaluation import ended_offering

CONTENT = PROJECT_ROOT / "content"


def _attended(session, offering):
    enrollment = enrollment_make(session, user_make(session), offering)
    attendance_full(session, enrollment, offering)
    return enrollment


def _row(session, offering, now):
    return next(r for r in retention_list(session, CONTENT, now) if r.offering_id == offering.id)


def _move_to_2017(session, offering):
    """Sessions moved as only a direct database edit still could."""
    shift = datetime(2017, 5, 1, tzinfo=UTC) - offering.sessions[0].starts_at
    for live in list(offering.sessions):
        session.execute(
            update(LiveSession)
            .where(LiveSession.id == live.id)
            .values(starts_at=live.starts_at + shift, ends_at=live.ends_at + shift)
        )
    session.expire_all()


def test_moving_dates_after_the_offering_ended_makes_nothing_purgeable(session):
    two_weeks_ago = utc_now() - timedelta(weeks=2)
    offering = offering_make(
        session, sessions=[(two_weeks_ago, two_weeks_ago + timedelta(hours=3))]
    )
    _attended(session, offering)
    now = utc_now()
    ended = _row(session, offering, now).ended_on
    assert (
        ended
        == (two_weeks_ago + timedelta(hours=3)).astimezone(ZoneInfo(offering.time_zone)).date()
    )
    _move_to_2017(session, offering)
    assert offerings_ended_record(session=session, now=now) == 0
    row = _row(session, offering, now)
    assert row.ended_on == ended and not row.due
    assert row.purge_after.year == ended.year + 5
    report = records_purge(session=session, actor_id=None, content_dir=CONTENT, dry_run=False)
    assert report.offerings == ()
    assert session.scalar(select(Attendance.id)) is not None


def test_an_offering_not_yet_recorded_as_ended_is_never_due(session):
    offering = offering_make(session)  # its first session is live now, the second next week
    _attended(session, offering)
    assert _row(session, offering, utc_now() + timedelta(days=1)).ended_on is None
    far = datetime(2100, 1, 1, tzinfo=UTC)
    session.execute(update(Offering).where(Offering.id == offering.id).values(ended_at=None))
    row = _row(session, offering, far)  # recorded now as ended: 5 years from the last session
    assert row.ended_on is not None and row.due


def test_a_certificate_younger_than_retention_keeps_the_offering(session, monkeypatch):
    evaluation_set(monkeypatch, True)
    offering = ended_offering(session)  # ended May 25, 2023
    user, enrollment = participant_ready(session, offering)
    issued = datetime(2026, 1, 15, 18, tzinfo=UTC)
    certificate_claim(
        session=session, user_id=user.id, enrollment_id=enrollment.id, credit_type_id="BBS",
        issuer=issuer_make(), now=issued,
    )  # fmt: skip
    five_years_after_the_end = datetime(2029, 1, 1, tzinfo=UTC)
    report = records_purge(
        session=session, actor_id=None, content_dir=CONTENT, now=five_years_after_the_end
    )
    assert report.offerings == ()
    [(offering_id, _label, why)] = report.kept
    assert offering_id == offering.id
    assert why.startswith("refused: a certificate issued 2026-01-15 is younger than 5 years")
    later = datetime(2031, 1, 16, 12, tzinfo=UTC)
    assert [o[0] for o in records_purge(
        session=session, actor_id=None, content_dir=CONTENT, now=later
    ).offerings] == [offering.id]  # fmt: skip


def test_purge_refuses_dry_run_and_apply_together(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["records", "purge", "--dry-run", "--apply"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_purge_prints_per_offering_what_it_would_delete(app_env, session, capsys):
    offering = offering_make(
        session,
        sessions=[(datetime(2019, 3, 1, 17, tzinfo=UTC), datetime(2019, 3, 1, 20, tzinfo=UTC))],
        label="March 2019",
    )
    _attended(session, offering)
    recent = offering_make(session, label="Now")
    _attended(session, recent)
    session.commit()
    assert cli.main(["records", "purge"]) == 0
    out = capsys.readouterr().out
    assert f"Would delete records of offering {offering.id} (" in out
    assert "March 2019): attendance 1, enrollments 1" in out
    assert "Now)" not in out and "Dry run: nothing was deleted" in out
    session.expire_all()
    assert session.scalar(select(Enrollment.id).where(Enrollment.offering_id == offering.id))
