"""The README's screenshot: a participant's Home on the demo data."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal import PROJECT_ROOT, content
from portal.demo import demo_seed
from portal.models import utc_now
from tests.browser.helpers import main, shot, sign_in, wait_idle

README_SCREENSHOT = PROJECT_ROOT / "docs" / "screenshot-home.png"


@pytest.fixture(scope="module")
def server_seed():
    courses = content.courses_load(PROJECT_ROOT / "content")
    return lambda session: demo_seed(session=session, courses=courses, now=utc_now())


def test_participant_home_screenshot(page):
    sign_in(page, "demo-participant", "demo-participant")
    expect(main(page).get_by_role("heading", name="Welcome, Alex Rivera").first).to_be_visible()
    expect(main(page).get_by_test_id("stDataFrame").first).to_be_visible()
    wait_idle(page)
    shot(page, "readme-home", path=README_SCREENSHOT)
    assert README_SCREENSHOT.stat().st_size < 300_000
