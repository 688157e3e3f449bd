"""What the entry script draws around every page: the "Signed in as" line, the focus ring's
CSS and the tab's page config, each sent as few times as the browser needs."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from portal import ui
from portal.accounts.ui import CurrentUser, account_caption
from tests.apptest import app_as
from tests.factories import user_make

NASTY = '<img src=x onerror="alert(1)"> **Bold** [link](https://evil.example) & co'


@pytest.fixture
def page_configs(monkeypatch):  # type: ignore[no-untyped-def]
    """The page configs the runs send, in order."""
    sent: list[dict[str, object]] = []
    monkeypatch.setattr(st, "set_page_config", lambda **config: sent.append(config))
    return sent


def test_the_signed_in_line_shows_a_typed_name_as_text():
    caption = account_caption(CurrentUser(1, "pat", NASTY, "participant"))
    assert caption is not None
    assert "<" not in caption and ">" not in caption  # no tag reaches the browser
    assert "&lt;img" in caption and "&amp; co" in caption
    assert r"\*\*Bold\*\*" in caption and r"\[link\]" in caption  # no markdown either
    assert caption.endswith("(participant)")
    assert account_caption(None) is None


def test_a_signed_in_run_sends_the_focus_ring_inside_the_signed_in_line(app_env, session):
    person = user_make(session, full_name=NASTY)
    session.commit()
    at = app_as(person)  # one run of the entry script (AppTest runs only the page after it)
    assert not at.exception
    (line,) = at.sidebar.caption
    assert line.value.startswith("Signed in as **&lt;img")
    assert line.value.endswith(ui.FOCUS_CSS)  # the one tag in it is the portal's own CSS
    assert "<img" not in line.value


def test_a_signed_out_run_sends_the_focus_ring_on_its_own(app_env):
    at = app_as(None)
    assert not at.exception
    assert [e.proto.body for e in at.get("html")] == [ui.FOCUS_CSS]
    assert not at.sidebar.caption


def _config_script() -> None:
    import streamlit as st

    from portal import ui

    ui.page_config_apply()
    if st.session_state.get("cut_short"):
        st.stop()  # as a run interrupted by the next one: its messages may never arrive
    ui.run_finished()


def test_the_page_config_is_sent_until_a_run_has_finished(page_configs):
    at = AppTest.from_function(_config_script)
    at.session_state["cut_short"] = True
    at.run()
    at.run()
    assert len(page_configs) == 2  # no run finished yet: each sends it again
    at.session_state["cut_short"] = False
    at.run()
    at.run()
    at.run()
    assert len(page_configs) == 3  # the browser keeps it for the session
    assert page_configs[0] == {
        "page_title": "CE Portal",
        "page_icon": ":material/school:",
        "layout": "wide",
    }


def test_the_entry_script_applies_the_page_config_and_marks_its_run_finished(
    app_env, session, page_configs
):
    person = user_make(session)
    session.commit()
    at = app_as(person)
    assert not at.exception
    assert len(page_configs) == 1
    assert at.session_state["_page_config_kept"]  # the browser tests check what it keeps


def test_later_runs_of_the_entry_script_send_no_page_config_and_keep_the_chrome(
    app_env, session, page_configs, through_entry_script
):
    person = user_make(session, full_name="Dana Chrome")
    session.commit()
    at = app_as(person, "verify.py")  # a page with no role guard
    at.run()
    assert not at.exception, at.exception
    assert len(page_configs) == 1  # the first run's; the browser keeps it
    (line,) = at.sidebar.caption  # every run draws the line, and the CSS inside it
    assert line.value == f"Signed in as **Dana Chrome** (participant){ui.FOCUS_CSS}"
    assert not at.get("html")
    assert app_as(person).session_state["_page_config_kept"]  # another browser session
    assert len(page_configs) == 2


def _menu_script(role: str) -> None:
    import streamlit as st

    from portal import ui

    kept = ui.menu(role)
    st.session_state["same_in_the_run"] = ui.menu(role) is kept
    st.session_state["pages"] = [(id(page), page.title) for _, page in kept]


def test_each_browser_session_keeps_its_own_copies_of_the_menus_pages(app_env):
    # Streamlit marks the page st.navigation returns as the one to run: two sessions running
    # at once must not mark each other's pages, one session's runs may share theirs.
    first, second = (AppTest.from_function(_menu_script, args=("participant",)) for _ in "12")
    first.run()
    kept = first.session_state["pages"]
    first.run()
    second.run()
    assert first.session_state["same_in_the_run"]
    assert first.session_state["pages"] == kept  # the same page objects, run after run
    assert len(kept) == 13
    theirs = second.session_state["pages"]
    assert [title for _, title in theirs] == [title for _, title in kept]
    assert not {page_id for page_id, _ in theirs} & {page_id for page_id, _ in kept}
    admin = AppTest.from_function(_menu_script, args=("admin",)).run().session_state["pages"]
    assert "People" in [title for _, title in admin]  # another role, its own menu
