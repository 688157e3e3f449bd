"""Every protected page refuses a direct URL: signed out, and to a role it is not for.

Streamlit runs a page script without the entry script when a pages/ folder exists and no
session has loaded the start page since the server started. Every page's first line is the
same guard (require_role), and tests/pages/test_access.py runs each page script alone for
each role; here a few of the most sensitive pages are opened as the very first request of
a freshly started server, to prove the guard holds in a real server too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from portal.courses import content
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
from tests.browser.server import LiveServer, database_prepare, servers_start, servers_stop

pytestmark = pytest.mark.browser

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
def server_mode():
    return "demo"


@pytest.fixture(scope="module")
def fresh_servers(tmp_path_factory) -> Iterator[list[LiveServer]]:
    """One never-visited server per fresh-server test, all started at once (tests pop one)."""
    tmp = tmp_path_factory.mktemp("fresh_servers")
    template = tmp / "template.sqlite3"
    database_prepare(template, _demo)
    count = len(FRESH_SIGNED_OUT) + len(FRESH_PARTICIPANT)
    servers = servers_start(count, template, tmp, mode="demo")
    yield list(servers)  # tests pop from this copy; teardown stops every server
    servers_stop(servers)


def _headings_of(chromium: Browser, server: LiveServer, paths: list[str], username=None):
    """The headings of each path, all opened at once in tabs of one context."""
    context = chromium.new_context(base_url=server.url)
    if username:
        context.add_cookies([server.auth_cookie(username)])
    tabs = [context.new_page() for _ in paths]
    for tab, path in zip(tabs, paths, strict=True):
        tab.goto(path)
    found = {path: set(headings(tab)) for tab, path in zip(tabs, paths, strict=True)}
    context.close()
    return found


@pytest.fixture(scope="module")
def page_headings(chromium: Browser, live_server) -> dict[str, set[str]]:
    """What each page shows its own role (headings), and what the public pages show."""
    public = ["/", *(url_path(spec) for spec in PAGES[1:] if "anonymous" in spec.roles)]
    seen = {"anonymous": set().union(*_headings_of(chromium, live_server, public).values())}
    for role, (username, _name) in ROLE_ACCOUNTS.items():
        specs = [s for s in PAGES if role in s.roles and "anonymous" not in s.roles]
        found = _headings_of(chromium, live_server, [url_path(s) for s in specs], username)
        for spec in specs:
            shown = found[url_path(spec)]
            assert shown - seen["anonymous"], f"{spec.script} shows nothing of its own to a {role}"
            seen[spec.script] = seen.get(spec.script, set()) | shown
            seen[role] = seen.get(role, set()) | shown
    return seen


def _expect_nothing_protected(page, page_headings) -> None:
    expect_signed_out(page)
    assert set(headings(page)) <= page_headings["anonymous"], headings(page)
    assert set(menu(page)) <= PUBLIC_TITLES, menu(page)


def _expect_nothing_of(page, spec: PageSpec, role: str, page_headings) -> None:
    leaked = (page_headings[spec.script] - page_headings[role]) & set(headings(page))
    assert not leaked, f"{spec.script} showed {leaked} to a {role}"
    assert spec.title not in menu(page)


def _sample(specs: list[PageSpec], scripts: tuple[str, ...]) -> list[PageSpec]:
    chosen = [spec for spec in specs if spec.script.rsplit("/", 1)[-1] in scripts]
    assert len(chosen) == len(scripts), "a sampled page is no longer protected"
    return chosen


# A participant's own page and the CE office's records, signed out; the CE office's pages
# and an instructor's page, to a participant.
FRESH_SIGNED_OUT = _sample(protected_pages(), ("certificates.py", "admin_records.py"))
FRESH_PARTICIPANT = _sample(
    pages_closed_to("participant"), ("admin_person.py", "evaluation_review.py")
)


@pytest.mark.parametrize("spec", FRESH_SIGNED_OUT, ids=_ids(FRESH_SIGNED_OUT))
def test_signed_out_direct_url_on_a_fresh_server(
    spec, fresh_servers, new_context, page_headings, screenshot
):
    server = fresh_servers.pop()
    page = new_context(server).new_page()
    open_page(page, url_path(spec))
    _expect_nothing_protected(page, page_headings)
    screenshot(page, "signed-out")


@pytest.mark.parametrize("spec", FRESH_PARTICIPANT, ids=_ids(FRESH_PARTICIPANT))
def test_participant_direct_url_on_a_fresh_server(
    spec, fresh_servers, new_context, page_headings, screenshot
):
    server = fresh_servers.pop()
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
