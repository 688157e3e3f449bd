"""The Check in page's cards: typed text shown as text, both time zones, and cached."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.attendance import check_in_text
from portal.attendance.mine import LiveNow, MyOffering, MySession
from portal.attendance.status import SessionAttendance
from portal.certificates.eligibility import AttendanceRule
from portal.text import escape_markdown

START = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)  # 9:00 AM in Los Angeles
END = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
TYPED = "Day *one* <b>[link](x)</b> #1"


def _live(**changes) -> LiveNow:  # type: ignore[no-untyped-def]
    fields = dict(
        live_session_id=1, title=TYPED, offering_label="Winter 2026", time_zone="America/Los_Angeles",
        starts_at=START, ends_at=END, open_kinds=("in",), checked_in_at=None, checked_out_at=None,
    )  # fmt: skip
    return LiveNow(**{**fields, **changes})


def _offering() -> MyOffering:
    attendance = SessionAttendance(
        live_session_id=1, position=1, title=TYPED, starts_at=START, ends_at=END,
        instructional_minutes=180, checked_in_at=START, checked_out_at=END, source="code",
        minutes_attended=180, status="present",
    )  # fmt: skip
    session = MySession(1, attendance, "pending", "", "")
    return MyOffering(1, "Winter <2026>", "America/Los_Angeles", "active", "present", (session,))


def test_escape_markdown_escapes_every_markdown_and_html_special():
    assert escape_markdown("a*b_c<d>[e](f)#g`h\\i") == r"a\*b\_c\<d\>\[e\]\(f\)\#g\`h\\i"
    assert escape_markdown("Zoë Nguyễn 张伟") == "Zoë Nguyễn 张伟"


def test_a_live_card_shows_typed_text_as_text_and_both_zones():
    card = check_in_text.live_card(_live(), "America/New_York")
    assert card.startswith("**Live now:** **" + escape_markdown(TYPED) + "**")
    assert "<b>" not in card and "[link](x)" not in card
    assert "9:00 AM – 12:00 PM PST" in card and "12:00 PM – 3:00 PM EST" in card
    assert "Check-in is open" in card
    assert "Checked in: —" in card


def test_a_live_card_without_an_open_window_says_so():
    card = check_in_text.live_card(_live(open_kinds=()), "America/Los_Angeles")
    assert "No code is being shown right now." in card


def test_an_offering_block_lists_each_session_with_its_evidence():
    block = check_in_text.offering_block(_offering(), "America/Los_Angeles")
    assert block.startswith(r"**Winter \<2026\>** — overall: present")
    assert "present, 180 of 180 minutes" in block
    assert "Checked in: Sat, Dec 5, 2026, 9:00 AM PST" in block
    assert "(your time" not in block  # the same zone is not shown twice
    assert "Evidence: code · correction request: pending" in block


def test_the_same_view_is_rendered_once():
    live = _live()
    assert check_in_text.live_card(live, "UTC") is check_in_text.live_card(_live(), "UTC")
    assert check_in_text.live_card(live, "UTC") != check_in_text.live_card(live, "Asia/Tokyo")


def test_the_title_block_quotes_each_rule_with_its_typed_offering_label_as_text():
    block = check_in_text.title_block((AttendanceRule("Winter *2026* [x](y)", 5),))
    assert block.startswith("# Check in\n\n> :material/schedule: Winter \\*2026\\* \\[x\\]")
    assert "more than 5 minutes missed" in block
    assert check_in_text.title_block(()) == "# Check in"
