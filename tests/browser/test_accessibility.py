"""axe-core on every page for every role: no critical or serious violation caused by the
portal's own markup.

axe-core is installed by `make browser-deps` (npm, into .cache/axe). What Streamlit itself
renders and an app cannot change is listed in KNOWN_STREAMLIT with the upstream report; such a
violation is ignored only when every element it flags lies inside that Streamlit markup.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page

from portal import PROJECT_ROOT
from portal.navigation import pages_for
from tests.browser.helpers import ARTIFACTS, settle, url_path

pytestmark = pytest.mark.browser

AXE = PROJECT_ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ROLES = {"anonymous": None, "participant": "demo-participant", "instructor": "demo-instructor"}
ROLES["admin"] = "demo-admin"
BLOCKING = ("critical", "serious")
# (axe rule, CSS selector of the Streamlit-rendered element it flags, upstream reference).
KNOWN_STREAMLIT: tuple[tuple[str, str, str], ...] = ()


def _known(rule: str, target: str) -> bool:
    return any(rule == r and selector in target for r, selector, _ in KNOWN_STREAMLIT)


def _violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
                html: v.nodes.slice(0, 3).map(n => n.html.slice(0, 200)),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING]


def _portal_caused(violations: list[dict]) -> list[dict]:
    found = []
    for v in violations:
        targets = [t for t in v["targets"] if not _known(v["id"], t)]
        if targets:
            found.append({**v, "targets": targets})
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
        settle(page)
        found = _portal_caused(_violations(page))
        if found:
            report[spec.title] = found
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{role}.json").write_text(json.dumps(report, indent=1))
    assert not report, json.dumps(report, indent=1)
