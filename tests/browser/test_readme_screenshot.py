"""The README's screenshot: a participant's Home on the demo data.

Every run saves it to tests/artifacts/; `PORTAL_UPDATE_SCREENSHOTS=1 pytest tests/browser`
also replaces docs/screenshot-home.png (so an ordinary test run leaves the tree clean).
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from portal import PROJECT_ROOT
from portal.courses import content
from portal.demo import demo_seed
from portal.models import utc_now
from tests.browser.helpers import main, settle, shot, sign_in, wait_for_auth_cookie

pytestmark = pytest.mark.browser

README_SCREENSHOT = PROJECT_ROOT / "docs" / "screenshot-home.png"


@pytest.fixture(scope="module")
def server_mode():
    return "demo"


@pytest.fixture(scope="module")
def server_seed():
    courses = content.courses_load(PROJECT_ROOT / "content")
    return lambda session: demo_seed(session=session, courses=courses, now=utc_now())


def test_participant_home_screenshot(page, screenshot):
    sign_in(page, "demo-participant", "demo-participant")
    expect(main(page).get_by_role("heading", name="Welcome, Alex Rivera").first).to_be_visible()
    expect(main(page).get_by_test_id("stDataFrame").first).to_be_visible()
    wait_for_auth_cookie(page)  # the cookie writer's frame usually leaves the page after this
    settle(page)
    page.mouse.move(1270, 790)  # no hover toolbar over the table or the sidebar
    saved = screenshot(page, "home")
    assert saved.stat().st_size < 300_000  # small enough to keep in the repository
    if os.environ.get("PORTAL_UPDATE_SCREENSHOTS"):
        shot(page, "readme-home", path=README_SCREENSHOT)
