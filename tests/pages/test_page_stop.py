"""ui.stop ends the page, and inside the entry script's page frame only the page."""

from streamlit.testing.v1 import AppTest

from portal import PROJECT_ROOT, ui
from portal.db import transaction
from portal.models import User
from tests.factories import user_make


def _texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def _framed() -> None:
    import streamlit as st

    from portal import ui

    with ui.page_frame():
        st.markdown("page")
        ui.stop()
        st.markdown("after the stop")
    st.markdown("after the page")


def _alone() -> None:
    import streamlit as st

    from portal import ui

    st.markdown("page")
    ui.stop()
    st.markdown("after the stop")


def _through_a_boundary() -> None:
    import streamlit as st

    from portal import ui

    with ui.page_frame():
        with ui.failure_boundary("a test page"):
            ui.fail("Refused.")
        st.markdown("after the boundary")
    st.markdown("after the page")


def test_in_the_frame_the_page_stops_and_the_run_goes_on():
    at = AppTest.from_function(_framed).run()
    assert not at.exception
    assert _texts(at) == ["page", "after the page"]


def test_without_the_frame_the_run_stops():
    at = AppTest.from_function(_alone).run()
    assert not at.exception
    assert _texts(at) == ["page"]


def test_a_stop_is_no_failure_to_a_failure_boundary():
    at = AppTest.from_function(_through_a_boundary).run()
    assert [e.value for e in at.error] == ["Refused."]
    assert _texts(at) == ["after the page"]


def test_pages_end_early_through_ui_stop():
    # st.stop would end the run before the entry script draws the re-login cookie's writer.
    pages = sorted((PROJECT_ROOT / "pages").glob("*.py"))
    assert pages
    assert [p.name for p in pages if "st.stop(" in p.read_text()] == []


def test_a_stop_inside_a_transaction_writes_nothing(factory, session):
    # The page ends but the run goes on: a write begun before the stop must still be undone.
    with ui.page_frame(), transaction(factory) as s:
        user_make(s, username="half.written")
        ui.stop()
    assert session.query(User).filter_by(username="half.written").count() == 0
