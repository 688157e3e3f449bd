"""Registration, sign-in, the re-login cookie and sign-out in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    auth_cookie,
    eventually,
    expect_signed_in,
    expect_signed_out,
    headings,
    main,
    menu_open,
    open_page,
    register,
    sign_in,
    sign_out,
    wait_for_auth_cookie,
    wait_idle,
)

pytestmark = pytest.mark.browser

NAME = "Zoë Nguyễn-Ångström"
USERNAME = "zoe.nguyen"
PASSWORD = "a long pass phrase"


def test_register_sign_out_sign_in_reload_and_revoked_cookie(
    context, page, new_context, live_server, screenshot
):
    open_page(page, "/")
    expect_signed_out(page)
    screenshot(page, "1-start")

    register(
        page,
        full_name=NAME,
        email="zoe@example.org",
        username=USERNAME,
        password=PASSWORD,
        profession="Marriage and family therapist (LMFT)",
        license_number="LMFT 98765",
        state="CA",
    )
    expect(main(page).get_by_role("heading", name=f"Welcome, {NAME}").first).to_be_visible()
    expect(main(page).get_by_text("Welcome! Your account is ready.")).to_be_visible()
    expect_signed_in(page, NAME)
    screenshot(page, "2-registered-home")

    sign_out(page)
    expect_signed_out(page)
    screenshot(page, "3-signed-out")

    sign_in(page, USERNAME, PASSWORD)
    expect(main(page).get_by_role("heading", name=f"Welcome, {NAME}").first).to_be_visible()
    expect_signed_in(page, NAME)
    cookie = wait_for_auth_cookie(page)

    page.reload()
    wait_idle(page)
    expect(main(page).get_by_role("heading", name=f"Welcome, {NAME}").first).to_be_visible()
    expect_signed_in(page, NAME)
    screenshot(page, "4-reloaded")

    assert auth_cookie(context) == cookie
    sign_out(page)
    wait_for_auth_cookie(page, present=False)

    stolen = new_context(live_server)
    stolen.add_cookies([cookie])
    other = stolen.new_page()
    open_page(other, "/")
    expect_signed_out(other)
    assert not any(h.startswith("Welcome,") for h in headings(other))
    screenshot(other, "5-old-cookie-refused")


def test_wrong_password_is_refused(page, screenshot):
    open_page(page, "/")
    page.get_by_role("textbox", name="Username", exact=True).fill("nobody-here")
    page.get_by_role("textbox", name="Password", exact=True).fill("not the password")
    main(page).get_by_role("button", name="Sign in", exact=True).click()
    expect(main(page).get_by_text("Username or password is incorrect.")).to_be_visible()
    expect_signed_out(page)
    screenshot(page, "refused")


FOCUS_RING = "rgb(31, 111, 139) solid 3px"


def _focus_ring(page) -> str:  # type: ignore[no-untyped-def]
    """The outline of what the keyboard focuses next, once drawn (on a busy machine the
    style's element may arrive a moment after the page looks idle)."""
    page.keyboard.press("Tab")
    return eventually(
        lambda: page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return `${s.outlineColor} ${s.outlineStyle} ${s.outlineWidth}`; }"
        ),
        FOCUS_RING,
        timeout_s=10,
    )


def test_every_page_keeps_the_tab_title_the_wide_layout_and_the_focus_ring(page, screenshot):
    # The entry script sends the page config only until a run has finished, and the focus
    # ring's CSS inside the "Signed in as" line: the browser must keep both on every page.
    open_page(page, "/")
    expect_signed_out(page)
    assert page.title() == "CE Portal"
    assert _focus_ring(page) == FOCUS_RING
    register(
        page,
        full_name="Kai Tabber",
        email="kai@example.org",
        username="kai.tabber",
        password=PASSWORD,
        profession="Marriage and family therapist (LMFT)",
        license_number="LMFT 55555",
        state="CA",
    )
    expect_signed_in(page, "Kai Tabber")
    for title in ("Profile", "Check in", "Course"):
        menu_open(page, title)
        wait_idle(page)
        assert page.title() == "CE Portal"
        # Wide: Streamlit's centred layout is at most 736 px wide.
        assert page.get_by_test_id("stMainBlockContainer").bounding_box()["width"] > 800
        assert _focus_ring(page) == FOCUS_RING
    screenshot(page, "focus-ring")
