"""axe-core on every page for every role: no critical or serious violation caused by the
portal's own markup.

axe-core is installed by `make browser-deps` (npm, into .cache/axe). What Streamlit itself
renders and an app cannot change is listed in KNOWN_STREAMLIT with the upstream report; such a
violation is ignored only when every element it flags lies inside that Streamlit markup.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from portal import PROJECT_ROOT
from portal.navigation import pages_for
from tests.browser.helpers import ARTIFACTS, main, url_path, wait_idle

pytestmark = pytest.mark.browser

AXE = PROJECT_ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ROLES = {
    "anonymous": None,
    "participant": "demo-participant",
    "instructor": "demo-instructor",
    "admin": "demo-admin",
}
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


@pytest.mark.parametrize("role", list(ROLES))
def test_no_serious_violation_on_any_page(role, new_context, demo_server):
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make browser-deps` (npm install axe-core)")
    context = new_context(demo_server)
    if ROLES[role]:
        context.add_cookies([demo_server.auth_cookie(ROLES[role])])
    page = context.new_page()
    report = {}
    for spec in pages_for(None if role == "anonymous" else role):
        page.goto(url_path(spec))
        # Not settle(): a page with audio or a live fragment never goes network-idle.
        wait_idle(page)
        expect(main(page).get_by_role("heading").first).to_be_visible()
        wait_idle(page)
        found = _portal_caused(_violations(page))
        if found:
            report[spec.title] = found
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{role}.json").write_text(json.dumps(report, indent=1))
    assert not report, json.dumps(report, indent=1)
