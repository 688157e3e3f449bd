"""The credit path in a real browser: check-in with the instructor's code across two
browsers, the evaluation, then claiming, downloading and verifying the certificate."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from portal.models import utc_now
from tests.browser.helpers import (
    evaluation_answer,
    main,
    open_page,
    settle,
    sign_in,
    text_input,
    wait_for_auth_cookie,
)
from tests.factories import PASSWORD, enrollment_make, offering_make, user_make
from tests.factories_evaluation import attendee_make, ended_offering

pytestmark = pytest.mark.browser

INSTRUCTOR = "ina.instructor"
CHECKER = "pat.checkin"
CHECKER_NAME = "Pat Checkin"
GRADUATE = "zoe.graduate"
GRADUATE_NAME = "Zoë Nguyễn-Ångström"
CODE_ON_SCREEN = re.compile(r"^[A-Z0-9]{3} [A-Z0-9]{3}$")


def _seed(session) -> None:
    instructor = user_make(
        session, role="instructor", username=INSTRUCTOR, full_name="Ina Instructor"
    )
    # Starts soon: checking in now is on time whatever the machine's pace, and the console
    # opens on it (the next session today, within the hour).
    start = utc_now() + timedelta(minutes=20)
    starts = [start, start + timedelta(weeks=1)]
    sessions = [(s, s + timedelta(hours=3)) for s in starts]
    live = offering_make(
        session, sessions=sessions, instructors=[instructor], label="Live offering"
    )
    enrollment_make(session, user_make(session, username=CHECKER, full_name=CHECKER_NAME), live)
    attendee_make(
        session, ended_offering(session, label="May 2023"), username=GRADUATE,
        full_name=GRADUATE_NAME, profession="lmft", state="CA",
    )  # fmt: skip


@pytest.fixture(scope="module")
def server_seed():
    return _seed


def _sign_in_and_open(page: Page, username: str, path: str) -> None:
    """Sign in, then load a page by URL (a new load signs in again with the cookie)."""
    sign_in(page, username, PASSWORD)
    wait_for_auth_cookie(page)
    open_page(page, path)


def test_check_in_across_two_browsers(new_context, live_server, screenshot):
    console = new_context(live_server).new_page()
    _sign_in_and_open(console, INSTRUCTOR, "/live_console")
    expect(main(console).get_by_role("heading", name="Live session console").first).to_be_visible()
    main(console).get_by_role("button", name="Open check-in").click()
    shown = main(console).get_by_text(CODE_ON_SCREEN)
    expect(shown).to_be_visible()
    code = shown.inner_text().strip()
    screenshot(console, "1-console-code")

    phone = new_context(live_server).new_page()
    _sign_in_and_open(phone, CHECKER, "/check_in")
    text_input(phone, "Code on the instructor's screen").fill(code)
    main(phone).get_by_role("button", name="Submit code").click()
    confirmation = main(phone).get_by_test_id("stAlertContentSuccess")
    expect(confirmation).to_contain_text("You checked in to Session 1.")
    expect(confirmation).not_to_contain_text("may not count")
    expect(confirmation).to_contain_text("Recorded:")
    expect(confirmation).to_contain_text(re.compile(r"\d{1,2}:\d{2}"))
    screenshot(phone, "2-participant-checked-in")

    checked_in = main(console).get_by_test_id("stMetric").filter(has_text="Checked in")
    expect(checked_in.get_by_test_id("stMetricValue")).to_have_text("1")
    expect(main(console).get_by_text(f"Missing: {CHECKER_NAME}")).to_have_count(0)
    checked_in.scroll_into_view_if_needed()
    screenshot(console, "3-roster-checked-in")


def test_evaluation_then_certificate_and_verification(page, new_context, live_server, screenshot):
    _sign_in_and_open(page, GRADUATE, "/evaluation")
    expect(main(page).get_by_role("heading", name="Course evaluation").first).to_be_visible()
    evaluation_answer(page)
    screenshot(page, "1-evaluation-answered")
    main(page).get_by_role("button", name="Submit evaluation").click()
    expect(main(page).get_by_text("Thank you — your evaluation was submitted.")).to_be_visible()
    done = (
        main(page)
        .get_by_test_id("stAlertContentSuccess")
        .filter(has_text=re.compile(r"^Submitted [A-Z][a-z]+ \d{1,2}, \d{4}\."))
    )
    expect(done).to_be_visible()
    expect(main(page).get_by_role("button", name="Submit evaluation")).to_have_count(0)
    expect(main(page).get_by_role("radiogroup")).to_have_count(0)
    done.scroll_into_view_if_needed()
    screenshot(page, "2-evaluation-submitted")

    open_page(page, "/certificates")
    expect(main(page).get_by_text("California BBS CE credit").first).to_be_visible()
    screenshot(page, "3-certificate-ready")
    main(page).get_by_role("button", name="Claim my certificate").click()
    issued = main(page).get_by_text(re.compile(r"Certificate CE-\S+ is issued\."))
    expect(issued).to_be_visible()
    number = re.search(r"CE-\S+(?= is issued)", issued.inner_text()).group(0)
    with page.expect_download() as download_info:
        main(page).get_by_role("button", name="Download certificate (PDF)").click()
    pdf = download_info.value.path().read_bytes()
    screenshot(page, "4-certificate-issued")
    assert pdf.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert GRADUATE_NAME in text
    assert number in text

    stranger = new_context(live_server).new_page()
    open_page(stranger, f"/verify?number={number}")
    expect(main(stranger).get_by_text("Valid.")).to_be_visible()
    expect(main(stranger).get_by_text(GRADUATE_NAME)).to_be_visible()
    expect(stranger.get_by_role("link", name="Sign out")).to_have_count(0)
    settle(stranger)  # the shot shows the page drawn and loaded
    screenshot(stranger, "5-verified")
