"""Entry script: page config, sign-in, and the menu of the signed-in person's role."""

import streamlit as st

from portal import navigation, ui
from portal.accounts.ui import (
    account_caption,
    authenticate,
    browser_cookies,
    page_run_user,
    return_page_take,
)
from portal.attendance.console import CHECK_IN_PATH

ui.page_config_apply()
ui.configured_or_stop()
settings = ui.settings()
if settings.is_demo:
    # In the main area: on a phone the sidebar is folded away.
    st.warning("**Demo data** — nothing here is a real CE record.", icon=":material/science:")


def _sections(menu: list[tuple[navigation.PageSpec, st.Page]]) -> dict[str, list[st.Page]]:
    """The menu's pages under their section headings, for st.navigation."""
    sections: dict[str, list[st.Page]] = {}
    for spec, page in menu:
        sections.setdefault(spec.section, []).append(page)
    return sections


# A run waits for a slot of its lane (signed out or in), so a room signing in together does
# not starve the check-ins and the console; its reads and actions share one database
# connection, given back when the run ends (also in st.stop, st.rerun or st.switch_page).
with ui.run_slot(), ui.run_database():
    # Failures (database away, storage unreadable) show words and an error id, never a traceback.
    with ui.request_logging(None), ui.failure_boundary("restoring the sign-in") as sign_in:
        user = authenticate()
    ui.styles_apply(None if sign_in.failed else account_caption(user))
    if sign_in.failed:
        # Without st.navigation Streamlit would fall back to running pages/ directly: name every
        # page (so the address is kept for a reload) and run none; the message is shown.
        st.navigation(
            [st.Page(spec.path, title=spec.title) for spec in navigation.PAGES], position="hidden"
        )
        st.stop()
    menu = ui.menu(user.role if user else None)
    back_to = return_page_take(user)
    returning = next((p for _, p in menu if back_to and p.url_path == back_to), None)
    check_in = next((p for _, p in menu if p.url_path == CHECK_IN_PATH), None)
    scanned = st.query_params.get("code")
    with (
        ui.request_logging(user.id if user else None),
        ui.failure_boundary("page run"),
        page_run_user(user),  # the page does not look the person up again
    ):
        # Expanded: admins have over a dozen pages, none of which should hide behind "View more".
        current = st.navigation(_sections(menu), expanded=True)
        if scanned and check_in is not None and current.url_path != CHECK_IN_PATH:
            # A QR link that opened another page (the sign-in form first, or a fresh process
            # that did not know the page yet) goes on to Check in, which checks the person in.
            st.switch_page(check_in, query_params={"code": scanned})
        if returning is not None and returning.url_path != current.url_path:
            st.switch_page(returning)  # back to the page the person had open
        with ui.page_frame():
            current.run()
    with ui.request_logging(user.id if user else None), ui.failure_boundary("the sign-in cookie"):
        browser_cookies()  # last: see its docstring
ui.run_finished()
