from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.attendance.platform_import import report_import, report_preview
from portal.attendance.platform_report import merged_minutes, report_parse, report_time
from portal.attendance.status import attendance_summary
from portal.errors import FieldErrors, NotAllowed
from portal.models import AttendanceChange, AuditEvent
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import attendance_make

# 9:00-12:00 PDT on May 18, 2023
START = datetime(2023, 5, 18, 16, 0, tzinfo=UTC)
OVER = START + timedelta(hours=4)
ZOOM = """Meeting ID,Topic,Start Time
"812 3456",Fostering Compassion,05/18/2023 08:55:01 AM

Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
Ana Full,ana@example.org,05/18/2023 08:58:00 AM,05/18/2023 10:30:00 AM,92,No
Ana Full,ana@example.org,05/18/2023 10:20:00 AM,05/18/2023 12:00:30 PM,101,No
Gap Person,gap@example.org,05/18/2023 09:00:00 AM,05/18/2023 10:00:00 AM,60,No
Gap Person,GAP@example.org,05/18/2023 11:00:00 AM,05/18/2023 12:00:00 PM,60,No
Coder,coder@example.org,05/18/2023 09:00:00 AM,05/18/2023 12:00:00 PM,180,No
Stranger,who@elsewhere.org,05/18/2023 09:00:00 AM,05/18/2023 12:00:00 PM,180,Yes
Broken,broken@example.org,not a time,05/18/2023 12:00:00 PM,1,No
"""


def test_zoom_times_are_read_in_the_given_zone():
    assert report_time("05/18/2023 09:00:00 AM", "America/Los_Angeles") == START
    assert report_time("2023-05-18T16:00:00+00:00", "Asia/Tokyo") == START


def test_overlapping_rows_are_merged_and_gaps_are_not_counted():
    parsed = report_parse(ZOOM.encode(), "America/Los_Angeles")
    assert len(parsed.rows) == 6 and len(parsed.problems) == 1
    ana = [(r.joined_at, r.left_at) for r in parsed.rows if r.email == "ana@example.org"]
    assert merged_minutes(ana, START, START + timedelta(hours=3)) == 180


@pytest.fixture
def world(session):
    instructor = user_make(session, role="instructor")
    offering = offering_make(
        session, sessions=[(START, START + timedelta(hours=3))], instructors=[instructor]
    )
    people = {}
    for name in ("ana", "gap", "coder"):
        people[name] = enrollment_make(session, user_make(session, username=name), offering)
    attendance_make(session, people["coder"], offering.sessions[0])
    return instructor, offering.sessions[0], people


def test_preview_matches_by_email_and_writes_nothing(session, world):
    instructor, live, _ = world
    preview = report_preview(session, instructor.id, live.id, ZOOM.encode(), "America/Los_Angeles")
    actions = {p.email: p.action for p in preview.people}
    assert actions == {
        "ana@example.org": "create", "gap@example.org": "create",
        "coder@example.org": "keep", "who@elsewhere.org": "unmatched",
    }  # fmt: skip
    assert [p.email for p in preview.unmatched] == ["who@elsewhere.org"]
    assert session.scalars(select(AttendanceChange)).all() == []


def test_import_writes_platform_evidence_and_keeps_code_evidence(session, world):
    instructor, live, people = world
    with pytest.raises(FieldErrors):
        report_import(session=session, user_id=instructor.id, live_session_id=live.id,
                      data=ZOOM.encode(), file_name="z.csv", time_zone="America/Los_Angeles",
                      reason="", now=OVER)  # fmt: skip
    record = report_import(
        session=session, user_id=instructor.id, live_session_id=live.id, data=ZOOM.encode(),
        file_name="zoom.csv", time_zone="America/Los_Angeles", reason="Zoom report", now=OVER,
    )  # fmt: skip
    assert (record.people_matched, record.people_unmatched) == (3, 1)
    ana = attendance_summary(session, people["ana"].id).sessions[0]
    gap = attendance_summary(session, people["gap"].id).sessions[0]
    coder = attendance_summary(session, people["coder"].id).sessions[0]
    assert (ana.status, ana.source, ana.minutes_attended) == ("present", "platform", 180)
    assert (gap.status, gap.minutes_attended) == ("partial", 120)
    assert coder.source == "code"
    changes = session.scalars(select(AttendanceChange)).all()
    assert {c.import_id for c in changes} == {record.id} and len(changes) == 2
    assert session.scalars(select(AuditEvent.action)).all().count("attendance.platform_import") == 1


def test_only_staff_import(session, world):
    _, live, people = world
    with pytest.raises(NotAllowed):
        report_preview(session, people["ana"].user_id, live.id, ZOOM.encode(), "UTC")


@pytest.mark.parametrize(
    ("now", "message"),
    [
        (START - timedelta(days=7), "has not started yet"),
        (START + timedelta(hours=2), "leave times in the future"),
    ],
)
def test_a_report_of_time_not_yet_passed_is_refused(session, world, now, message):
    instructor, live, _ = world
    with pytest.raises(FieldErrors, match=message):
        report_import(session=session, user_id=instructor.id, live_session_id=live.id,
                      data=ZOOM.encode(), file_name="zoom.csv", time_zone="America/Los_Angeles",
                      reason="Zoom report", now=now)  # fmt: skip
    assert session.scalars(select(AttendanceChange)).all() == []
