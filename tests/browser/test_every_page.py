"""Every page for every role on a demo server, visited once: the page guard and axe-core.

The page guard: every protected page refuses a direct URL, signed out and to a role it is not
for. Streamlit runs a page script without the entry script when a pages/ folder exists and no
session has loaded the start page since the server started. Every page's first line is the
same guard (require_role), and tests/pages/test_access.py runs each page script alone for
each role; here a few of the most sensitive pages are opened as the very first request of
a freshly started server, to prove the guard holds in a real server too.

Accessibility: axe-core on every page for every role finds no critical or serious violation
caused by the portal's own markup. axe-core is installed by `make browser-deps` (npm, into
.cache/axe). What Streamlit itself renders and an app cannot change is listed in
KNOWN_STREAMLIT with the upstream report; such a violation is ignored only when every element
it flags lies inside that Streamlit markup.

One visit of each page per role (its headings, axe-core's findings and a screenshot) serves
both: what each page shows its own role is what the guard checks nothing leaks of.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from portal import PROJECT_ROOT
from portal.navigation import PAGES, PageSpec, pages_for
from tests.browser.conftest import VIEWPORT
from tests.browser.helpers import (
    ARTIFACTS,
    TIMEOUT_MS,
    demo_seed_now,
    expect_signed_in,
    expect_signed_out,
    headings,
    main,
    menu,
    menu_link,
    open_page,
    pages_closed_to,
    protected_pages,
    shot,
    url_path,
    wait_idle,
)
from tests.browser.server import (
    LiveServer,
    database_prepare,
    server_launch,
    server_wait,
    servers_stop,
)

pytestmark = pytest.mark.browser

ROLES = {  # demo accounts; each password is the username
    "anonymous": None,
    "participant": "demo-participant",
    "instructor": "demo-instructor",
    "admin": "demo-admin",
}
PUBLIC_TITLES = {spec.title for spec in PAGES if "anonymous" in spec.roles}
# What the public pages show, signed out: the start page and the other public pages.
PUBLIC_PATHS = ("/", *(url_path(spec) for spec in PAGES[1:] if "anonymous" in spec.roles))

AXE = PROJECT_ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")
STREAMLIT_A11Y = "https://github.com/streamlit/streamlit/issues/8399"
# (axe rule, container Streamlit renders, upstream report): a violation is the portal's own
# unless every element it flags lies inside that container.
KNOWN_STREAMLIT: tuple[tuple[str, str, str], ...] = (
    # st.navigation's sidebar menu puts its section headings as <div>s directly inside the
    # <ul> of links (list), which leaves the links' <li>s outside a proper list (listitem).
    ("list", '[data-testid="stSidebarNav"]', STREAMLIT_A11Y),
    ("listitem", '[data-testid="stSidebarNav"]', STREAMLIT_A11Y),
)


def _ids(specs: list[PageSpec]) -> list[str]:
    return [url_path(spec).strip("/") for spec in specs]


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


@pytest.fixture(scope="module")
def server_seed():
    return demo_seed_now


@pytest.fixture(scope="module")
def server_mode():
    return "demo"


@pytest.fixture(scope="module", autouse=True)
def fresh_servers(tmp_path_factory) -> Iterator[list[LiveServer]]:
    """One never-visited server per fresh-server test (tests pop one), launched when the
    module starts: they start up while the other tests run, and no request reaches them
    before their own test's."""
    tmp = tmp_path_factory.mktemp("fresh_servers")
    template = tmp / "template.sqlite3"
    database_prepare(template, demo_seed_now)
    launched: list[LiveServer] = []
    try:
        for n in range(len(FRESH_SIGNED_OUT) + len(FRESH_PARTICIPANT)):
            (tmp / f"s{n}").mkdir()
            copy = shutil.copyfile(template, tmp / f"s{n}" / "portal.sqlite3")
            launched.append(server_launch(f"sqlite:///{copy}", tmp / f"s{n}", mode="demo"))
        yield list(launched)  # tests pop from this copy; teardown stops every server
    finally:
        servers_stop(launched)


@dataclass(frozen=True)
class Visit:
    """One page as one role saw it: the headings of its main area and axe-core's blocking
    violations the portal's own markup causes (None where axe-core is missing)."""

    role: str
    path: str
    spec: PageSpec
    headings: frozenset[str]
    violations: list[dict] | None


def _violations(page: Page) -> list[dict]:
    """axe-core's critical and serious violations; each flagged element is marked `known`
    when it lies inside a known Streamlit container for that rule."""
    page.add_script_tag(path=str(AXE))
    known = [[rule, container] for rule, container, _ in KNOWN_STREAMLIT]
    result = page.evaluate(
        """async (known) => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            const inside = (rule, target) => {
                const el = document.querySelector(target[0]);
                return !!el && known.some(([k, c]) => k === rule && el.closest(c) !== null);
            };
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({
                    target: n.target.join(' '), html: n.html.slice(0, 200),
                    known: inside(v.id, n.target),
                })),
            }));
        }""",
        known,
    )
    return [v for v in result if v["impact"] in BLOCKING]


def _portal_caused(violations: list[dict]) -> list[dict]:
    """The violations with at least one element outside Streamlit's known markup."""
    found = []
    for v in violations:
        nodes = [n for n in v["nodes"] if not n["known"]]
        if nodes:
            found.append({**v, "nodes": nodes})
    return found


def _visit(page: Page, role: str, path: str, spec: PageSpec, *, typed: bool) -> Visit:
    """Open the page, let it run, and record what it shows with axe-core's findings.
    `typed`: load its URL (a new session); else choose it in the menu."""
    if typed or not menu_link(page, path).count():
        page.goto(path)
    else:
        menu_link(page, path).click()
        page.wait_for_url(f"**{path}")
    # Not settle(): a page with audio or a live fragment never goes network-idle.
    wait_idle(page)
    expect(main(page).get_by_role("heading").first).to_be_visible()
    wait_idle(page)
    shown = frozenset(headings(page))
    violations = _portal_caused(_violations(page)) if AXE.is_file() else None
    shot(page, f"every-page-{role}-{path.strip('/') or 'start'}")
    return Visit(role, path, spec, shown, violations)


@pytest.fixture(scope="module")
def every_page(chromium: Browser, live_server: LiveServer) -> dict[str, list[Visit]]:
    """Each role's visits, one page after another in one tab: the start page by its address,
    then every other page of the role's menu from the menu, as a person goes on (hidden
    pages by their URL). Typed URLs of every page are the guard tests' own, below."""
    visits: dict[str, list[Visit]] = {}
    for role, username in ROLES.items():
        context = chromium.new_context(
            base_url=live_server.url,
            viewport=VIEWPORT,  # type: ignore[arg-type]
            timezone_id="America/New_York",
            locale="en-US",
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            if username:
                context.add_cookies([live_server.auth_cookie(username)])  # type: ignore[list-item]
            page = context.new_page()
            specs = pages_for(None if role == "anonymous" else role)
            # The first page of a menu is the start page, served at "/" only.
            paths = ["/", *map(url_path, specs[1:])]
            visits[role] = [
                _visit(page, role, path, spec, typed=path == "/")
                for path, spec in zip(paths, specs, strict=True)
            ]
        finally:
            context.close()
    return visits


@pytest.fixture(scope="module")
def page_headings(every_page: dict[str, list[Visit]]) -> dict[str, set[str]]:
    """What each page shows its own role (headings), and what the public pages show."""
    public = [v.headings for v in every_page["anonymous"] if v.path in PUBLIC_PATHS]
    assert len(public) == len(PUBLIC_PATHS)
    seen: dict[str, set[str]] = {"anonymous": set().union(*public)}
    for role in ROLES.keys() - {"anonymous"}:
        for visit in every_page[role]:
            spec = visit.spec
            if "anonymous" in spec.roles:
                continue
            shown = set(visit.headings)
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


@pytest.mark.parametrize("role", list(ROLES))
def test_no_serious_violation_on_any_page(role, every_page):
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make browser-deps` (npm install axe-core)")
    visits = every_page[role]
    assert [v.spec for v in visits] == pages_for(None if role == "anonymous" else role)
    report = {v.spec.title: v.violations for v in visits if v.violations}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{role}.json").write_text(json.dumps(report, indent=1))
    assert not report, json.dumps(report, indent=1)


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


# The fresh-server tests come last: their servers start up meanwhile.
@pytest.mark.parametrize("spec", FRESH_SIGNED_OUT, ids=_ids(FRESH_SIGNED_OUT))
def test_signed_out_direct_url_on_a_fresh_server(
    spec, fresh_servers, new_context, page_headings, screenshot
):
    server = server_wait(fresh_servers.pop())
    page = new_context(server).new_page()
    open_page(page, url_path(spec))
    _expect_nothing_protected(page, page_headings)
    screenshot(page, "signed-out")


@pytest.mark.parametrize("spec", FRESH_PARTICIPANT, ids=_ids(FRESH_PARTICIPANT))
def test_participant_direct_url_on_a_fresh_server(
    spec, fresh_servers, new_context, page_headings, screenshot
):
    server = server_wait(fresh_servers.pop())
    context = new_context(server)
    context.add_cookies([server.auth_cookie("demo-participant")])
    page = context.new_page()
    open_page(page, url_path(spec))
    expect_signed_in(page, "Alex Rivera")
    _expect_nothing_of(page, spec, "participant", page_headings)
    screenshot(page, "participant")
