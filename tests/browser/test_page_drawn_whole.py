"""A page is drawn whole even when the browser's cookie answer races the run drawing it.

The server is tests/browser/stalled_server.py: its event loop stalls before it handles a
fragment's rerun, and Home is slow, the timing a busy machine once gave a sign-in, which then
showed the participant's menu over an empty page.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    main,
    open_page,
    settle,
    sidebar,
    sign_in_form,
    sign_out,
    text_input,
    wait_for_auth_cookie,
    wait_idle,
)
from tests.browser.server import LiveServer, database_prepare, server_start, server_stop
from tests.factories import PASSWORD, user_make
from tests.factories_evaluation import attendee_make, ended_offering

pytestmark = pytest.mark.browser

ENROLLED, NEWCOMER = "dana.whole", "nell.whole"


def _seed(session) -> None:  # type: ignore[no-untyped-def]
    attendee_make(session, ended_offering(session), username=ENROLLED, full_name="Dana Whole")
    user_make(session, username=NEWCOMER, full_name="Nell Newcomer")


@pytest.fixture(scope="module")
def stalled_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("stalled_server")
    database_url = database_prepare(tmp / "portal.sqlite3", _seed)
    server = server_start(database_url, tmp, launcher="tests.browser.stalled_server")
    yield server
    server_stop(server)


def _sign_in(page: Page, username: str) -> None:
    open_page(page, "/")
    settle(page)
    text_input(page, "Username").fill(username)
    text_input(page, "Password").fill(PASSWORD)
    sign_in_form(page).click()


def test_home_is_drawn_whole_after_signing_in(new_context, stalled_server, screenshot):
    context = new_context(stalled_server)
    page = context.new_page()
    _sign_in(page, ENROLLED)
    # What Home draws after its (slowed) read: the part a dropped run tail lost.
    expect(main(page).get_by_text("Your progress")).to_be_visible()
    expect(main(page).get_by_role("heading", name="Welcome, Dana Whole")).to_be_visible()
    expect(sidebar(page).get_by_text("Signed in as")).to_be_visible()
    expect(sign_in_form(page)).to_have_count(0)
    wait_idle(page)
    screenshot(page, "home")
    # The re-login cookie, drawn after the page, is written all the same.
    assert wait_for_auth_cookie(page)["value"]


def test_a_page_that_stops_early_still_writes_the_cookie(new_context, stalled_server):
    context = new_context(stalled_server)
    page = context.new_page()
    _sign_in(page, NEWCOMER)  # not enrolled: Home says so and stops
    expect(main(page).get_by_text("You are not enrolled in an offering yet.")).to_be_visible()
    wait_idle(page)
    assert wait_for_auth_cookie(page)["value"]
    sign_out(page)
    assert wait_for_auth_cookie(page, present=False) is None
