from datetime import UTC, date, datetime, time

from icalendar import Calendar

from portal.learning.ical import sessions_ics
from portal.timefmt import format_instant, format_span, local_instant


def test_wall_clock_times_become_utc_across_daylight_saving():
    assert local_instant(date(2023, 5, 18), time(9), "America/Los_Angeles") == datetime(
        2023, 5, 18, 16, tzinfo=UTC
    )
    assert local_instant(date(2023, 1, 18), time(9), "America/Los_Angeles") == datetime(
        2023, 1, 18, 17, tzinfo=UTC
    )


def test_instants_show_in_the_offering_zone_and_the_participants():
    start = datetime(2023, 5, 18, 16, tzinfo=UTC)
    end = datetime(2023, 5, 18, 19, tzinfo=UTC)
    assert (
        format_span(start, end, "America/Los_Angeles")
        == "Thu, May 18, 2023, 9:00 AM – 12:00 PM PDT"
    )
    assert (
        format_span(start, end, "America/New_York") == "Thu, May 18, 2023, 12:00 PM – 3:00 PM EDT"
    )
    assert format_instant(start, "Australia/Sydney") == "Fri, May 19, 2023, 2:00 AM AEST"


def test_a_session_across_midnight_shows_both_dates():
    start = datetime(2023, 5, 19, 5, tzinfo=UTC)  # 10 pm Pacific
    text = format_span(start, start.replace(hour=8), "America/Los_Angeles")
    assert text == "Thu, May 18, 2023, 10:00 PM PDT – Fri, May 19, 2023, 1:00 AM PDT"


def test_an_unknown_browser_zone_falls_back_to_utc():
    assert format_instant(datetime(2023, 5, 18, 16, tzinfo=UTC), "Not/AZone").endswith(
        "4:00 PM UTC"
    )


def test_the_calendar_file_has_one_event_per_session_in_utc():
    sessions = [
        (
            1,
            "Session 1",
            datetime(2023, 5, 18, 16, tzinfo=UTC),
            datetime(2023, 5, 18, 19, tzinfo=UTC),
        ),
        (
            2,
            "Session 2",
            datetime(2023, 5, 25, 16, tzinfo=UTC),
            datetime(2023, 5, 25, 19, tzinfo=UTC),
        ),
    ]
    ics = sessions_ics(
        course_title="Fostering Compassion",
        offering_slug="2023-05",
        sessions=sessions,
        url="https://portal",
        now=datetime(2023, 1, 1, tzinfo=UTC),
    )
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        "Fostering Compassion — Session 1",
        "Fostering Compassion — Session 2",
    ]
    assert events[0].decoded("dtstart") == datetime(2023, 5, 18, 16, tzinfo=UTC)
    assert len({str(e["uid"]) for e in events}) == 2
