import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from portal.attendance.exports import qr_png, roster_csv, roster_table, roster_xlsx
from portal.attendance.localtime import format_both, session_clock_instant
from portal.attendance.roster import (
    live_feed,
    live_people,
    live_people_count,
    offering_roster,
    offerings_for_staff,
)
from portal.errors import NotAllowed
from tests.factories import enrollment_make, offering_make, user_make
from tests.factories_attendance import attendance_make

START = datetime(2023, 5, 18, 16, 0, tzinfo=UTC)


@pytest.fixture
def world(session):
    instructor = user_make(session, role="instructor")
    offering = offering_make(
        session,
        sessions=[(START, START + timedelta(hours=3)), (START + timedelta(weeks=1), START + timedelta(weeks=1, hours=3))],
        instructors=[instructor],
    )  # fmt: skip
    nurse = user_make(session, full_name="=Nora Nurse", profession="rn", license_number="RN 555")
    enrollment = enrollment_make(session, nurse, offering)
    attendance_make(session, enrollment, offering.sessions[0])
    enrollment_make(session, user_make(session, full_name="Absent Abe"), offering)
    return instructor, offering


def test_roster_has_what_the_bbs_expects(session, world):
    instructor, offering = world
    roster = offering_roster(session, instructor.id, offering.id)
    header, *rows = roster_table(roster)
    assert header[:5] == ["Name", "Email", "Profession", "License number", "License state"]
    nora = next(r for r in rows if r[0] == "=Nora Nurse")
    assert nora[2:5] == ["rn", "RN 555", "CA"]
    assert nora[6:10] == ["2023-05-18 09:00 PDT", "2023-05-18 12:00 PDT", 180, "present"]
    assert nora[-2:] == [0, "partial"]  # one session of two: no credit earned


def test_csv_and_xlsx_render_the_same_table_safely(session, world):
    instructor, offering = world
    roster = offering_roster(session, instructor.id, offering.id)
    lines = list(csv.reader(io.StringIO(roster_csv(roster).decode("utf-8-sig"))))
    assert len(lines) == 3
    assert any(line[0] == "'=Nora Nurse" for line in lines)  # no formula injection
    sheet = load_workbook(io.BytesIO(roster_xlsx(roster))).active
    assert [c.value for c in sheet[1]][:2] == ["Name", "Email"]
    assert sheet.max_row == 3


def test_live_counts_and_the_missing(session, world):
    instructor, offering = world
    live = offering.sessions[0]
    feed = live_feed(session, instructor.id, live.id)
    assert (feed.counts.checked_in, feed.counts.checked_out, feed.counts.missing) == (1, 1, 1)
    assert [p.name for p in live_people(session, instructor.id, live.id, missing_only=True)] == [
        "Absent Abe"
    ]
    assert live_people_count(session, instructor.id, live.id) == 2
    assert live_people_count(session, instructor.id, live.id, search="nora") == 1


def test_rosters_are_staff_only(session, world):
    _, offering = world
    for role in ("participant", "instructor"):
        with pytest.raises(NotAllowed):
            offering_roster(session, user_make(session, role=role).id, offering.id)
    with pytest.raises(NotAllowed):
        offerings_for_staff(session, user_make(session).id)
    admin = user_make(session, role="admin")
    assert [o.id for o in offerings_for_staff(session, admin.id)] == [offering.id]


def test_qr_code_is_a_png():
    assert qr_png("http://localhost:8501/check_in?code=ABC123").startswith(b"\x89PNG")


def test_session_across_midnight_reads_clock_times_on_the_right_day(session):
    # 10:00 PM to 1:00 AM in Los Angeles, November 2023.
    starts = datetime(2023, 11, 10, 6, 0, tzinfo=UTC)
    ends = starts + timedelta(hours=3)
    tz = "America/Los_Angeles"
    from datetime import time

    assert session_clock_instant(time(22, 5), starts, ends, tz) == starts + timedelta(minutes=5)
    assert session_clock_instant(time(0, 50), starts, ends, tz) == ends - timedelta(minutes=10)
    offering = offering_make(session, sessions=[(starts, ends)], time_zone=tz)
    enrollment = enrollment_make(session, user_make(session), offering)
    attendance_make(
        session, enrollment, offering.sessions[0], checked_out_at=ends - timedelta(minutes=10)
    )
    admin = user_make(session, role="admin")
    row = roster_table(offering_roster(session, admin.id, offering.id))[1]
    assert row[6:10] == ["2023-11-09 22:00 PST", "2023-11-10 00:50 PST", 170, "partial"]


def test_session_across_the_dst_change_counts_real_minutes(session):
    # Nov 5, 2023: 1:00 AM PDT, then clocks fall back; 3 real hours end at 3:00 AM PST.
    starts = datetime(2023, 11, 5, 8, 0, tzinfo=UTC)
    ends = starts + timedelta(hours=3)
    tz = "America/Los_Angeles"
    offering = offering_make(session, sessions=[(starts, ends)], time_zone=tz)
    enrollment = enrollment_make(session, user_make(session), offering)
    attendance_make(session, enrollment, offering.sessions[0])
    admin = user_make(session, role="admin")
    row = roster_table(offering_roster(session, admin.id, offering.id))[1]
    assert row[6:10] == ["2023-11-05 01:00 PDT", "2023-11-05 03:00 PST", 180, "present"]
    assert format_both(starts, tz, "Europe/Berlin") == (
        "Sun, Nov 5, 2023, 1:00 AM PDT (your time: Sun, Nov 5, 2023, 9:00 AM CET)"
    )
