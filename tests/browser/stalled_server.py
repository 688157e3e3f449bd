"""Streamlit's command line with two delays injected, for test_page_drawn_whole.py.

A browser's answer to a component inside a fragment asks for a rerun of that fragment. When
it reaches a session whose full run has just ended, but whose last messages still wait on
the event loop, Streamlit starts the fragment in a new runner and drops those messages: the
page stays half drawn. On a busy machine the event loop falls behind by that much; here it
is made to, every time:

- the event loop stalls for STALL_S before handling a fragment's rerun request, and
- Home reads its view SLOW_PAGE_S late, so a run is still drawing when an answer arrives.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from typing import Any

from streamlit.runtime.app_session import AppSession
from streamlit.web import cli

from portal.learning import home

STALL_S = 2.0
SLOW_PAGE_S = 1.0


def _after(delay: float, fn: Callable[..., Any], when: Callable[..., bool]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def delayed(*args: Any, **kwargs: Any) -> Any:
        if when(*args, **kwargs):
            time.sleep(delay)
        return fn(*args, **kwargs)

    return delayed


def _is_fragment_rerun(session: AppSession, client_state: Any = None) -> bool:
    return client_state is not None and bool(client_state.fragment_id)


AppSession.request_rerun = _after(STALL_S, AppSession.request_rerun, _is_fragment_rerun)
home.participant_home = _after(SLOW_PAGE_S, home.participant_home, lambda *a, **k: True)

if __name__ == "__main__":
    sys.exit(cli.main(prog_name="streamlit"))
