"""Registration, sign-in, the re-login cookie and sign-out in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    auth_cookie,
    expect_signed_in,
    expect_signed_out,
    headings,
    main,
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
