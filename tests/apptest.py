"""Running the real entry script and pages under AppTest as a given person."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from portal import PROJECT_ROOT
from portal.models import User, utc_now

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")


def app_as(user: User | None, page: str | None = None) -> AppTest:
    """The app run once as this person (None: signed out), then switched to the page."""
    at = AppTest.from_file(ENTRY, default_timeout=60)
    if user is not None:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = user.username
        at.session_state["signed_in_at"] = utc_now()
    at.run()
    if page is not None:
        at.switch_page(f"pages/{page}")
        at.run()
    return at


def texts(at: AppTest) -> str:
    """Every markdown, title, header, caption and alert text on the page, joined."""
    parts = [
        e.value
        for kind in ("title", "header", "subheader", "markdown", "caption")
        for e in getattr(at, kind)
    ]
    parts += [
        e.value for kind in ("error", "warning", "info", "success") for e in getattr(at, kind)
    ]
    # Markdown escapes (backslashes) are how typed text is shown safely; compare without them.
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))


def page_alone(user: User | None, page: str) -> AppTest:
    """The page script run on its own, without the entry script (as a direct URL may be)."""
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / page), default_timeout=60)
    # As after the entry script ran once, so the page's own guard is what is tested (a bare
    # run without it is sent through the entry script; the browser tests cover that path).
    at.session_state["_authenticator"] = None
    if user is not None:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = user.username
        at.session_state["signed_in_at"] = utc_now()
    return at.run()
