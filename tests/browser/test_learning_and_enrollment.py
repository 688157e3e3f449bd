"""Learning and enrollment in a real browser: an audio material played and marked complete,
the private journal, and enrolling then asking to cancel with the refund shown first."""

from __future__ import annotations

import io
import math
import struct
import wave
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.models import utc_now
from tests.browser.helpers import (
    expand,
    main,
    open_page,
    sign_in,
    text_input,
    wait_for_auth_cookie,
    wait_idle,
)
from tests.factories import PASSWORD, course_row, enrollment_make, offering_make, user_make
from tests.factories_materials import MODULE, config_for, file_make

pytestmark = pytest.mark.browser

MODULE_TITLE = "The three emotion regulation systems in relationships"
AUDIO_TITLE = "Soothing-system meditation"
OPEN_LABEL = "Autumn evening offering"


def wav_bytes(seconds: float = 3.0, rate: int = 8000) -> bytes:
    """A real mono 16-bit WAV file: a quiet 440 Hz tone."""
    frames = b"".join(
        struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * n / rate)))
        for n in range(int(seconds * rate))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


def _seed(session) -> None:
    # The server keeps its files in <its folder>/storage, beside its SQLite database.
    storage_root = Path(session.get_bind().url.database).parent
    course_row(session)
    admin = user_make(session, role="admin", username="ce-office", full_name="Cy Office")
    pat = user_make(session, username="pat", full_name="Pat Participant")
    user_make(session, username="jo", full_name="Jo Journal")
    user_make(session, username="nia", full_name="Nia Newcomer")
    enrollment_make(session, pat, offering_make(session, label="Spring offering"))
    today = utc_now().date()
    offering_make(
        session,
        label=OPEN_LABEL,
        early_deadline=today + timedelta(days=20),
        cancellation_deadline=today + timedelta(days=25),
        enrollment_closes=today + timedelta(days=30),
    )
    file_make(
        session, config_for(storage_root), admin.id, "meditation.wav", wav_bytes(),
        placement=MODULE, title=AUDIO_TITLE,
    )  # fmt: skip


@pytest.fixture(scope="module")
def server_seed():
    return _seed


def sign_in_to(page, username: str, path: str) -> None:
    """Sign in, then open a page by its URL (a new page load signs in again by cookie)."""
    sign_in(page, username, PASSWORD)
    wait_for_auth_cookie(page)
    open_page(page, path)


def test_audio_material_plays_and_counts_as_complete(page, screenshot):
    sign_in_to(page, "pat", "/course")
    expect(main(page).get_by_text("Your course progress: 0 of").first).to_be_visible()
    module = expand(main(page), MODULE_TITLE)
    expect(module.get_by_text(AUDIO_TITLE)).to_be_visible()
    audio = module.locator("audio")
    expect(audio).to_have_count(1)
    screenshot(page, "1-module-open")

    played = audio.evaluate(
        """async (a) => {
            a.muted = true;  // muted playback is allowed without a gesture
            await a.play();
            await new Promise((done) => setTimeout(done, 700));
            return {paused: a.paused, time: a.currentTime, ready: a.readyState,
                    duration: a.duration};
        }"""
    )
    assert played["ready"] > 0
    assert not played["paused"]
    assert played["time"] > 0
    assert played["duration"] == pytest.approx(3.0, abs=0.1)

    module.get_by_test_id("stCheckbox").filter(has_text="Complete").first.click()
    wait_idle(page)
    expect(main(page).get_by_text("Your course progress: 1 of").first).to_be_visible()
    expect(
        main(page).get_by_test_id("stExpander").filter(has_text=f"{MODULE_TITLE} · 1/").first
    ).to_be_visible()
    screenshot(page, "2-completed")


def test_journal_entry_is_listed_and_private(page, new_context, live_server, screenshot):
    sign_in_to(page, "jo", "/journal")
    expect(main(page).get_by_test_id("stMetricValue")).to_have_text("0")
    text_input(page, "What I appreciated in my partner").fill("She made tea for me unasked")
    text_input(page, "What I appreciated in myself").fill("I listened without fixing")
    text_input(page, "Note (optional)").fill("Ten quiet minutes")
    main(page).get_by_role("button", name="Save entry").click()
    wait_idle(page)
    expect(main(page).get_by_text("In my partner: She made tea for me unasked")).to_be_visible()
    expect(main(page).get_by_text("In myself: I listened without fixing")).to_be_visible()
    expect(main(page).get_by_role("paragraph").filter(has_text="Ten quiet minutes")).to_be_visible()
    expect(text_input(page, "What I appreciated in my partner")).to_have_value("")
    expect(main(page).get_by_test_id("stMetricValue")).to_have_text("1")
    screenshot(page, "1-saved")

    other = new_context(live_server).new_page()
    sign_in_to(other, "nia", "/journal")
    expect(main(other).get_by_text("No entries yet.")).to_be_visible()
    expect(main(other).get_by_test_id("stMetricValue")).to_have_text("0")
    expect(main(other).get_by_text("She made tea")).to_have_count(0)
    screenshot(other, "2-other-participant")


def test_enroll_then_request_cancellation(page, screenshot):
    sign_in_to(page, "nia", "/enroll")
    expect(main(page).get_by_text("You are not enrolled in an offering yet.")).to_be_visible()
    card = main(page).get_by_test_id("stVerticalBlock").filter(has_text=OPEN_LABEL).last
    expect(card.get_by_text("your fee today: $205.00")).to_be_visible()
    screenshot(page, "1-open-offerings")

    card.get_by_role("button", name="Enroll for $205.00").click()
    wait_idle(page)
    expect(main(page).get_by_text("You are enrolled.")).to_be_visible()
    mine = (
        main(page)
        .get_by_test_id("stVerticalBlock")
        .filter(has_text=f"{OPEN_LABEL} — enrollment active")
        .last
    )
    expect(mine.get_by_text("you owe $205.00")).to_be_visible()
    screenshot(page, "2-enrolled")

    expand(mine, "Request cancellation")
    expect(mine.get_by_text("You have paid nothing yet")).to_be_visible()
    text_input(page, "Your cancellation request, in writing").fill("I can no longer attend.")
    mine.get_by_test_id("stCheckbox").filter(has_text="my refund is $0.00").click()
    screenshot(page, "3-refund-before-confirming")
    mine.get_by_role("button", name="Send cancellation request").click()
    wait_idle(page)
    expect(main(page).get_by_text("Your cancellation request was sent")).to_be_visible()
    expect(
        main(page).get_by_text("Your cancellation request is waiting for the CE office.")
    ).to_be_visible()
    screenshot(page, "4-pending")
