"""Small steps through the portal in a real browser, shared by every browser test.

Streamlit reruns the script on every interaction, so helpers wait for an element or for the
script to finish (never a fixed sleep). Headings can briefly appear twice during a rerun:
locators that may match during a rerun use `.first`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlalchemy.orm import Session
from streamlit.source_util import page_icon_and_name

from portal import PROJECT_ROOT
from portal.courses import content
from portal.demo import demo_seed
from portal.evaluation.form import AGREEMENT
from portal.models import utc_now
from portal.navigation import PAGES, PageSpec
from portal.settings import Settings

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
TIMEOUT_MS = 60_000  # generous: two workers share two cores with servers and Chromium
AUTH_COOKIE = Settings.model_fields["cookie_name"].default
IDLE = '[data-test-script-state="notRunning"]'


def demo_seed_now(session: Session) -> None:
    """What `make run` seeds (`portal demo seed`), as of now."""
    courses = content.courses_load(PROJECT_ROOT / "content")
    demo_seed(session=session, courses=courses, now=utc_now())


def url_path(spec: PageSpec) -> str:
    """The URL path Streamlit gives the page's script ("/participant_home")."""
    return "/" + page_icon_and_name(Path(spec.path))[1]


def protected_pages() -> list[PageSpec]:
    """Every page that needs a signed-in person."""
    return [spec for spec in PAGES if "anonymous" not in spec.roles]


def pages_closed_to(role: str) -> list[PageSpec]:
    """Protected pages this role may not open."""
    return [spec for spec in protected_pages() if role not in spec.roles]


T = TypeVar("T")


def wait_idle(page: Page) -> None:
    """Wait until the current script run has finished."""
    page.locator(IDLE).wait_for(state="attached", timeout=TIMEOUT_MS)


def eventually(read: Callable[[], T], expected: T, *, timeout_s: float = TIMEOUT_MS / 1000) -> T:
    """What `read` returns once it equals `expected` (or, after the timeout, its last answer):
    a rerun the browser has asked for may not have started when the page last looked idle."""
    deadline = time.monotonic() + timeout_s
    while (value := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return value


def settle(page: Page) -> None:
    """Wait until the page's components have loaded and the reruns they ask for are done.

    The re-login cookie's writer (after a sign-in or a sign-out) loads in a frame and then
    asks for one more run; typing into a form before that run has finished can be lost.
    """
    wait_idle(page)
    page.wait_for_load_state("networkidle")
    wait_idle(page)


def rendered(page: Page) -> None:
    """Wait until the run has finished and its images and fonts have loaded: settle() for a
    page with a live fragment, whose reruns keep the network from ever going idle."""
    wait_idle(page)
    page.wait_for_function(
        "document.fonts.status === 'loaded' && [...document.images].every(i => i.complete)"
    )
    wait_idle(page)


def open_page(page: Page, path: str = "/") -> None:
    """Load a URL path of the portal (relative to the context's base_url) and let it run."""
    page.goto(path)
    wait_idle(page)


def shot(page: Page, name: str, *, path: Path | None = None) -> Path:
    """Save a screenshot to tests/artifacts/<name>.png (or to `path`)."""
    target = path or ARTIFACTS / f"{_safe(name)}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))
    return target


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


def main(page: Page) -> Locator:
    """The main area of the page (without the sidebar)."""
    return page.get_by_test_id("stMain")


def expand(area: Locator, title: str | re.Pattern[str]) -> Locator:
    """Open the expander titled `title` and wait until it has stopped growing.

    A click inside an expander that is still animating open lands on a moving target: the
    focused button is scrolled into the growing box between pointer-down and pointer-up,
    and the click misses (seen under a loaded machine).
    """
    summary = area.page.locator("summary").filter(has_text=title)
    expander = area.get_by_test_id("stExpander").filter(has=summary).first
    expander.locator("summary").click()
    expander.locator("details[open]").wait_for()
    expander.locator("details").evaluate(
        "d => Promise.all(d.getAnimations({subtree: true}).map(a => a.finished))"
    )
    return expander


def sidebar(page: Page) -> Locator:
    """The sidebar."""
    return page.get_by_test_id("stSidebar")


def headings(page: Page) -> list[str]:
    """The texts of the headings in the main area, once the script has finished."""
    wait_idle(page)
    return [h.strip() for h in main(page).locator("h1, h2, h3").all_inner_texts()]


def text_input(page: Page, label: str) -> Locator:
    """A text or password input by its exact label."""
    return page.get_by_role("textbox", name=label, exact=True)


def select(page: Page, label: str, option: str) -> None:
    """Choose an option of a Streamlit selectbox by the selectbox's label."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(option)  # long option lists render only the options in view; filter first
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)


def sign_in_form(page: Page) -> Locator:
    """The sign-in form's submit button (visible when the sign-in form is shown)."""
    return main(page).get_by_role("button", name="Sign in", exact=True)


def expect_signed_out(page: Page) -> None:
    """The page shows the sign-in form or the please-sign-in notice, and no signed-in menu."""
    notice = main(page).get_by_text("Please sign in to see this page.")
    expect(sign_in_form(page).or_(notice).first).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    expect(page.get_by_role("link", name="Sign out")).to_have_count(0)


def expect_signed_in(page: Page, full_name: str) -> None:
    """The sidebar names the signed-in person."""
    expect(sidebar(page).get_by_text("Signed in as").first).to_contain_text(
        full_name, timeout=TIMEOUT_MS
    )


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the real sign-in form (opening the start page when needed)."""
    if not sign_in_form(page).is_visible():
        open_page(page, "/")
    settle(page)
    text_input(page, "Username").fill(username)
    text_input(page, "Password").fill(password)
    signed_in = sidebar(page).get_by_text("Signed in as")
    for _attempt in range(3):
        sign_in_form(page).click()
        try:
            expect(signed_in).to_be_visible(timeout=TIMEOUT_MS // 3)
            break
        except AssertionError:
            # A rerun the cookie component asked for can swallow the submit on a busy
            # machine; a person would press the button again, and so does this.
            if not sign_in_form(page).is_visible():
                raise
    expect(signed_in).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)
    # Signed in for good once the browser holds the re-login cookie (written after the page
    # is drawn): a new tab or a typed address opened before then starts signed out.
    wait_for_auth_cookie(page)


def sign_out(page: Page) -> None:
    """Sign out through the menu's Sign out page and wait for the sign-in form."""
    sidebar(page).get_by_role("link", name="Sign out").click()
    main(page).get_by_role("button", name="Sign out").click()
    expect(sign_in_form(page)).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)


def register(
    page: Page,
    *,
    full_name: str,
    email: str,
    username: str,
    password: str,
    profession: str,
    license_number: str = "",
    state: str | None = None,
) -> None:
    """Create an account through the real "Create account" form (profession: its label)."""
    open_page(page, "/register")
    expect(page.get_by_role("heading", name="Create your account").first).to_be_visible()
    text_input(page, "Full name as it must appear on your certificate").fill(full_name)
    text_input(page, "Email").fill(email)
    text_input(page, "Username").fill(username)
    text_input(page, "Password").fill(password)
    text_input(page, "Repeat password").fill(password)
    select(page, "Profession", profession)
    text_input(page, "License number").fill(license_number)
    if state:
        select(page, "Issuing state", state)
    main(page).get_by_role("button", name="Create account").click()
    wait_idle(page)


def auth_cookie(context: BrowserContext) -> dict | None:
    """The re-login cookie the browser holds, if any."""
    found = [c for c in context.cookies() if c["name"] == AUTH_COOKIE]
    return dict(found[0]) if found else None


def wait_for_auth_cookie(page: Page, *, present: bool = True) -> dict | None:
    """Wait until the browser holds (or no longer holds) the re-login cookie.

    A browser-side component writes it shortly after sign-in or sign-out.
    """
    deadline = TIMEOUT_MS
    while (auth_cookie(page.context) is not None) != present:
        if deadline <= 0:
            raise AssertionError(f"re-login cookie present={not present} after {TIMEOUT_MS} ms")
        page.wait_for_timeout(100)
        deadline -= 100
    return auth_cookie(page.context)


def menu(page: Page) -> list[str]:
    """The titles of the pages the sidebar menu offers, once the script has finished."""
    wait_idle(page)
    links = page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()
    return [text.strip().split("\n")[-1].strip() for text in links]  # after the icon's name


def choose(page: Page, question: str, option: str) -> None:
    """Pick an option of the radio question with this exact text."""
    group = main(page).get_by_role("radiogroup", name=question, exact=True)
    group.get_by_text(option, exact=True).click()
    expect(group.get_by_role("radio", name=option, exact=True)).to_be_checked()
    wait_idle(page)


EVALUATION = {
    **{
        f"Based on the content of this workshop, I am able to: {goal}": AGREEMENT[3]
        for goal in (
            "identify the three emotion regulation systems and how they present in relationships.",
            "describe the three components of self-compassion and the role they play in "
            "relationships.",
            "apply techniques to increase self-compassion and compassion in everyday life.",
            "demonstrate how to speak from a place of care rather than reactivity.",
            "describe a practice to increase gratitude and appreciation in relationships.",
        )
    },
    "The content was relevant to my professional practice.": AGREEMENT[4],
    "The instructor was knowledgeable about the subject matter.": AGREEMENT[4],
    "The teaching methods (presentation, discussion, meditation and experiential exercises) "
    "were effective.": AGREEMENT[3],
    "The live online format (video, audio, chat) worked well for learning.": AGREEMENT[2],
    "The instructional level of the workshop (announced as intermediate) was:": "About right",
    "The content was fair and balanced and free of commercial bias.": "Yes",
    "Were your accessibility needs met?": "Yes",
    "Overall rating of the workshop (1 = poor, 5 = excellent).": "5",
}


def evaluation_answer(page: Page) -> None:
    """Answer every required question of the workshop's evaluation, as a participant would."""
    for question, option in EVALUATION.items():
        choose(page, question, option)
    detail = text_input(
        page, "What will you do differently in your practice as a result of this workshop?"
    )
    detail.fill("Teach the gratitude practice to couples.")
    detail.press("Tab")
    wait_idle(page)


def menu_link(page: Page, path: str) -> Locator:
    """The sidebar menu's link to a URL path ("/check_in")."""
    return page.get_by_test_id("stSidebarNav").locator(f'a[href$="{path}"]').first


def menu_open(page: Page, title: str) -> None:
    """Open a page from the sidebar menu by its title, as a person would."""
    nav = page.get_by_test_id("stSidebarNav")
    link = nav.get_by_role("link").filter(has_text=re.compile(rf"{re.escape(title)}$")).first
    # The re-login cookie component's rerun, asked for just after a sign-in, can swallow a
    # click on the menu on a busy machine: the page stays where it was. A person would click
    # again, and so does this. (Not settle(): a page with a live fragment never goes
    # network-idle.)
    wait_idle(page)
    for attempt in range(3):
        link.click()
        try:
            expect(link).to_have_attribute("aria-current", "page", timeout=TIMEOUT_MS // 3)
            break
        except AssertionError:
            if attempt == 2:
                raise
    expect(main(page).get_by_role("heading").first).to_be_visible()
    wait_idle(page)
