"""Every protected page refuses a direct URL: signed out, and to a role it is not for.

Streamlit runs a page script without the entry script when a pages/ folder exists and no
session has loaded the start page since the server started, so each protected page is also
opened as the very first request of a freshly started server.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from portal import content
from portal.demo import demo_seed
from portal.models import utc_now
from portal.navigation import PAGES, PageSpec
from tests.browser.helpers import (
    expect_signed_in,
    expect_signed_out,
    headings,
    menu,
    open_page,
    pages_closed_to,
    protected_pages,
    url_path,
)

ROLE_ACCOUNTS = {  # demo accounts; each password is the username
    "participant": ("demo-participant", "Alex Rivera"),
    "instructor": ("demo-instructor", "Ira Instructor"),
    "admin": ("demo-admin", "Dana Admin"),
}
PUBLIC_TITLES = {spec.title for spec in PAGES if "anonymous" in spec.roles}


def _demo(session) -> None:
    from portal import PROJECT_ROOT

    demo_seed(
        session=session, courses=content.courses_load(PROJECT_ROOT / "content"), now=utc_now()
    )


def _ids(specs: list[PageSpec]) -> list[str]:
    return [url_path(spec).strip("/") for spec in specs]


@pytest.fixture(scope="module")
def server_seed():
    return _demo


@pytest.fixture(scope="module")
def page_headings(chromium: Browser, live_server) -> dict[str, set[str]]:
    """What each page shows its own role (headings), and what the public pages show."""
    seen: dict[str, set[str]] = {}
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    for spec in PAGES:
        if "anonymous" in spec.roles:
            open_page(page, url_path(spec) if spec is not PAGES[0] else "/")
            seen.setdefault("anonymous", set()).update(headings(page))
    context.close()
    for role, (username, name) in ROLE_ACCOUNTS.items():
        context = chromium.new_context(base_url=live_server.url)
        context.add_cookies([live_server.auth_cookie(username)])
        page = context.new_page()
        for spec in PAGES:
            if role in spec.roles:
                open_page(page, url_path(spec))
                expect_signed_in(page, name)
                found = set(headings(page))
                assert found, f"{spec.script} shows no heading to a {role}"
                seen[spec.script] = seen.get(spec.script, set()) | found
                seen.setdefault(role, set()).update(found)
        context.close()
    return seen


def _expect_nothing_protected(page, page_headings) -> None:
    expect_signed_out(page)
    assert set(headings(page)) <= page_headings["anonymous"], headings(page)
    assert set(menu(page)) <= PUBLIC_TITLES, menu(page)


def _expect_nothing_of(page, spec: PageSpec, role: str, page_headings) -> None:
    leaked = (page_headings[spec.script] - page_headings[role]) & set(headings(page))
    assert not leaked, f"{spec.script} showed {leaked} to a {role}"
    assert spec.title not in menu(page)


@pytest.mark.parametrize("spec", protected_pages(), ids=_ids(protected_pages()))
def test_signed_out_direct_url_on_a_fresh_server(
    spec, fresh_server, new_context, page_headings, screenshot
):
    server = fresh_server(_demo)
    page = new_context(server).new_page()
    open_page(page, url_path(spec))
    _expect_nothing_protected(page, page_headings)
    screenshot(page, "signed-out")


@pytest.mark.parametrize(
    "spec", pages_closed_to("participant"), ids=_ids(pages_closed_to("participant"))
)
def test_participant_direct_url_on_a_fresh_server(
    spec, fresh_server, new_context, page_headings, screenshot
):
    server = fresh_server(_demo)
    context = new_context(server)
    context.add_cookies([server.auth_cookie("demo-participant")])
    page = context.new_page()
    open_page(page, url_path(spec))
    expect_signed_in(page, "Alex Rivera")
    _expect_nothing_of(page, spec, "participant", page_headings)
    screenshot(page, "participant")


def test_signed_out_direct_urls(page, page_headings, screenshot):
    for spec in protected_pages():
        open_page(page, url_path(spec))
        _expect_nothing_protected(page, page_headings)
        screenshot(page, url_path(spec).strip("/"))


def test_participant_direct_urls(context, live_server, page_headings, screenshot):
    context.add_cookies([live_server.auth_cookie("demo-participant")])
    page = context.new_page()
    for spec in pages_closed_to("participant"):
        open_page(page, url_path(spec))
        expect_signed_in(page, "Alex Rivera")
        _expect_nothing_of(page, spec, "participant", page_headings)
        screenshot(page, url_path(spec).strip("/"))
