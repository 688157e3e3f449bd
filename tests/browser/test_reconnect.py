"""After a server restart a participant who reloads is still signed in, on the same page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import expect_signed_in, headings, main, open_page, settle
from tests.browser.server import server_restart, server_stop
from tests.factories import enrollment_make, offering_make, user_make


def _participant(session) -> None:  # type: ignore[no-untyped-def]
    person = user_make(session, username="pat", full_name="Pat Reconnect")
    enrollment_make(session, person, offering_make(session))


@pytest.mark.parametrize("path, heading", [("/check_in", "Check in"), ("/journal", None)])
def test_a_reload_after_a_restart_returns_to_the_same_page(
    path, heading, fresh_server, new_context, screenshot
):
    server = fresh_server(_participant)
    context = new_context(server)
    context.add_cookies([server.auth_cookie("pat")])
    page = context.new_page()
    open_page(page, path)
    expect_signed_in(page, "Pat Reconnect")
    before = headings(page)
    settle(page)
    restarted = server_restart(server)
    try:
        page.reload()
        expect_signed_in(page, "Pat Reconnect")
        settle(page)
        screenshot(page, "after-restart")
        assert page.url.rstrip("/").endswith(path), page.url
        assert headings(page) == before
        if heading:
            expect(main(page).get_by_role("heading", name=heading).first).to_be_visible()
    finally:
        server_stop(restarted)
