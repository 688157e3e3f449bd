"""An evaluation draft reopened in a fresh browser, again and again, comes back as saved.

A fresh context with the re-login cookie opens the Evaluation page directly: the cookie
component asks for a rerun while the page is loading, the timing a draft once lost to.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine

from portal.courses.content import course_get
from portal.db import session_factory
from portal.evaluation.form import AGREEMENT
from portal.evaluation.participant import saved_answers
from portal.models import Enrollment, User
from portal.settings import settings_load
from tests.browser.helpers import (
    eventually,
    main,
    open_page,
    settle,
    sign_in,
    text_input,
    wait_idle,
)
from tests.factories import PASSWORD
from tests.factories_evaluation import attendee_make, ended_offering

pytestmark = pytest.mark.browser

USERNAME = "dana.draft"
OBJECTIVE = "Based on the content of this workshop, I am able to: "
QUESTIONS = {
    OBJECTIVE + "identify the three emotion regulation systems and how they present in "
    "relationships.": AGREEMENT[4],
    "The content was relevant to my professional practice.": AGREEMENT[3],
    "Overall rating of the workshop (1 = poor, 5 = excellent).": "4",
}
COMMENTS = "Any other comments? (optional)"
COMMENT = "Slower pace in the second hour, please — ありがとう"
STORED = {"objective-1": 5, "relevance": 4, "overall": 4, "comments": COMMENT}
REOPENINGS = 10
AT_ONCE = 5


@pytest.fixture(scope="module")
def server_seed():
    return lambda session: attendee_make(
        session, ended_offering(session), username=USERNAME, full_name="Dana Draft"
    )


def _group(page: Page, question: str):  # type: ignore[no-untyped-def]
    return main(page).get_by_role("radiogroup", name=question, exact=True)


def _stored(database_url: str) -> dict:
    engine = create_engine(database_url)
    try:
        with session_factory(engine)() as session:
            user = session.query(User).filter_by(username=USERNAME).one()
            enrollment = session.query(Enrollment).filter_by(user_id=user.id).one()
            course = course_get(settings_load().content_dir, "fostering-compassion-in-couples")
            answers = saved_answers(session, enrollment.id, course.evaluation.questions)
    finally:
        engine.dispose()
    return {k: answers[k] for k in STORED}


def test_draft_comes_back_in_ten_fresh_browsers(page, new_context, live_server, screenshot):
    sign_in(page, USERNAME, PASSWORD)
    open_page(page, "/evaluation")
    settle(page)
    for question, option in QUESTIONS.items():
        _group(page, question).get_by_text(option, exact=True).click()
        wait_idle(page)
    comment = text_input(page, COMMENTS)
    comment.fill(COMMENT)
    comment.press("Tab")
    wait_idle(page)
    expect(main(page).get_by_text("Draft saved").first).to_be_visible()
    assert eventually(lambda: _stored(live_server.database_url), STORED) == STORED
    # A few browsers at a time: their loads and cookie reruns interleave on the server.
    for first in range(0, REOPENINGS, AT_ONCE):
        tabs = []
        for _ in range(AT_ONCE):
            context = new_context(live_server)
            context.add_cookies([live_server.auth_cookie(USERNAME)])
            tabs.append(context.new_page())
            tabs[-1].goto("/evaluation")  # straight in: the cookie signs in while it loads
        for attempt, tab in enumerate(tabs, start=first + 1):
            _expect_draft(tab, attempt, screenshot)
            tab.context.close()
        assert _stored(live_server.database_url) == STORED, f"reopenings up to {attempt}"


def _expect_draft(tab: Page, attempt: int, screenshot) -> None:  # type: ignore[no-untyped-def]
    settle(tab)
    try:
        for question, option in QUESTIONS.items():
            radio = _group(tab, question).get_by_role("radio", name=option, exact=True)
            expect(radio).to_be_checked()
        expect(text_input(tab, COMMENTS)).to_have_value(COMMENT)
    except AssertionError:
        screenshot(tab, f"reopening-{attempt}-failed")
        raise
    if attempt == 1:
        screenshot(tab, "draft-reopened")
