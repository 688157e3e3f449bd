"""The README's demo walkthrough, followed word for word on a fresh `make run` database: the
instructor opens check-in, the participant checks in from another browser, then evaluation,
certificate and Verify. Also the phone screens (390×844) and the README's screenshots.

Every run saves the screenshots to tests/artifacts/; `PORTAL_UPDATE_SCREENSHOTS=1` also
replaces the README's images in docs/ (so an ordinary run leaves the tree clean).
"""

from __future__ import annotations

import io
import os
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from portal import PROJECT_ROOT
from tests.browser.helpers import (
    evaluation_answer,
    main,
    menu_open,
    open_page,
    rendered,
    settle,
    shot,
    sign_in,
    text_input,
)

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
CODE_ON_SCREEN = re.compile(r"^[A-Z0-9]{3} [A-Z0-9]{3}$")
# A demo certificate verifies as valid; it may also say that it is demo data.
VALID = re.compile(r"Valid\.|DEMO — not a valid CE certificate")
DOCS = PROJECT_ROOT / "docs"


def _readme_shot(page: Page, name: str, *, live: bool = False) -> None:
    """A README screenshot, taken once the page has fully rendered (`live`: the page has a
    fragment that reruns on a timer)."""
    (rendered if live else settle)(page)
    page.mouse.move(1270, 790)  # no hover toolbar over a table or the sidebar
    saved = shot(page, f"readme-{name}")
    assert saved.stat().st_size < 400_000  # small enough to keep in the repository
    if os.environ.get("PORTAL_UPDATE_SCREENSHOTS"):
        shot(page, f"readme-{name}", path=DOCS / f"screenshot-{name}.png")


def _in_first_screen(page: Page, text: str) -> None:
    """The text is visible without scrolling on the phone's screen."""
    found = main(page).get_by_text(text, exact=True).first
    expect(found).to_be_visible()
    box = found.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["viewport"]["height"], box


def test_the_readme_walkthrough_ends_with_a_verified_certificate(new_context, demo_server):
    # 1. The instructor opens Live console: it is on the demo's Session 1, live now.
    console = new_context(demo_server).new_page()
    sign_in(console, "demo-instructor", "demo-instructor")
    menu_open(console, "Live console")
    expect(main(console).get_by_role("combobox", name="Offering")).to_have_value(
        re.compile(r"— Demo offering$")
    )
    session_box = main(console).get_by_role("combobox", name=re.compile(r"^Session"))
    expect(session_box).to_have_value(re.compile(r"^Session 1: "))
    main(console).get_by_role("button", name="Open check-in").click()
    shown = main(console).get_by_text(CODE_ON_SCREEN)
    expect(shown).to_be_visible()
    expect(main(console).get_by_text("anyway?")).to_have_count(0)  # live now: no confirmation
    expect(main(console).get_by_text("Scan to check in")).to_be_visible()
    expect(
        main(console).get_by_role("img", name=re.compile("^QR code: opens the check-in"))
    ).to_be_visible()
    code = shown.inner_text().strip()
    _readme_shot(console, "instructor", live=True)

    # On a phone, Home leads with the live session and the demo banner, in the first screen.
    phone = new_context(demo_server, **PHONE)
    phone.add_cookies([demo_server.auth_cookie("demo-participant")])
    handset = phone.new_page()
    open_page(handset, "/")
    settle(handset)
    _in_first_screen(handset, "Check in now")
    _in_first_screen(handset, "Session 1 is live now")
    expect(main(handset).get_by_text("Demo data").first).to_be_in_viewport()
    shot(handset, "phone-participant-home-live")

    # 2. The participant, in another browser, checks in with the code: on time.
    participant = new_context(demo_server).new_page()
    sign_in(participant, "demo-participant", "demo-participant")
    expect(main(participant).get_by_text("Session 1 is live now")).to_be_visible()
    expect(main(participant).get_by_text("Your progress").first).to_be_visible()
    _readme_shot(participant, "participant", live=True)
    main(participant).get_by_role("link", name="Check in now").click()
    text_input(participant, "Code on the instructor's screen").fill(code)
    main(participant).get_by_role("button", name="Submit code").click()
    done = main(participant).get_by_test_id("stAlertContentSuccess")
    expect(done).to_contain_text("You checked in to Session 1.")
    expect(done).not_to_contain_text("may not count")
    checked_in = main(console).get_by_test_id("stMetric").filter(has_text="Checked in")
    expect(checked_in.get_by_test_id("stMetricValue")).to_have_text("1")

    open_page(handset, "/check_in")
    expect(main(handset).get_by_text("Checked in:").first).to_be_visible()
    settle(handset)  # the shot shows the page drawn and loaded
    shot(handset, "phone-check-in")
    main(handset).get_by_text("Your attendance").scroll_into_view_if_needed()
    assert handset.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    shot(handset, "phone-attendance")
    main(handset).get_by_role("link", name="Request a correction").first.click()
    expect(main(handset).get_by_role("heading", name="Request a correction")).to_be_visible()
    expect(main(handset).get_by_text("What happened?")).to_be_visible()
    settle(handset)
    assert handset.evaluate("document.documentElement.scrollWidth") <= 390
    shot(handset, "phone-correction-request")
    open_page(handset, "/enroll")
    expect(main(handset).get_by_text("How to pay:").first).to_be_visible()
    settle(handset)
    assert handset.evaluate("document.documentElement.scrollWidth") <= 390
    shot(handset, "phone-enrollment-and-fees")

    # 3. Evaluation of the finished demo offering.
    menu_open(participant, "Evaluation")
    expect(main(participant).get_by_text("Finished demo offering").first).to_be_visible()
    evaluation_answer(participant)
    main(participant).get_by_role("button", name="Submit evaluation").click()
    expect(
        main(participant).get_by_text("Thank you — your evaluation was submitted.")
    ).to_be_visible()

    # 4. The certificate.
    menu_open(participant, "Certificates")
    main(participant).get_by_role("button", name="Claim my certificate").click()
    issued = main(participant).get_by_text(re.compile(r"Certificate CE-\S+ is issued\."))
    expect(issued).to_be_visible()
    number = re.search(r"CE-\S+(?= is issued)", issued.inner_text()).group(0)
    with participant.expect_download() as download:
        main(participant).get_by_role("button", name="Download certificate (PDF)").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Alex Rivera" in text and number in text

    # 5. Verify a certificate.
    menu_open(participant, "Verify a certificate")
    text_input(participant, "Certificate number").fill(number)
    main(participant).get_by_role("button", name="Check").click()
    verdict = main(participant).get_by_test_id("stAlert").filter(has_text=VALID)
    expect(verdict).to_contain_text(number)
    shot(participant, "walkthrough-verified")

    # The CE office sees the certificate.
    office_context = new_context(demo_server)
    office_context.add_cookies([demo_server.auth_cookie("demo-admin")])
    office = office_context.new_page()
    open_page(office, "/certificates_admin")
    # A choice made while the first run is still drawing can be undone by it.
    settle(office)
    offering = main(office).get_by_role("combobox", name="Offering")
    offering.click()
    office.get_by_role("option", name=re.compile("Finished demo offering")).click()
    expect(offering).to_have_value(re.compile("Finished demo offering"))
    expect(main(office).get_by_text(re.compile(r"Certificates: 1–1 of 1"))).to_be_visible()
    _readme_shot(office, "admin")
