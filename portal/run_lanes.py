"""How many script runs of one app process execute at once, in two lanes.

Each browser session runs the script in a thread of its own, and every thread shares one
interpreter lock with the event loop that talks to all the browsers. When a room of 300
signs in at once, hundreds of runs crawl forward together and none finishes soon: the
instructor's code display and the check-ins of people already signed in wait behind the
sign-ins. So a run takes a slot first. Signed-out runs (the sign-in form, where the
password is checked, and registration) share a small lane; signed-in runs a larger one.
Fragment reruns (the console's code display, the cookie component) do not run the entry
script and take no slot.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

# A run that waits longer than this goes ahead anyway: a stuck run (a database that does
# not answer) must not stop every other browser of the process for ever. Long enough for a
# room's sign-ins to drain without letting them all loose on the connection pool at once.
WAIT_LIMIT_SECONDS = 120.0


class RunLanes:
    """Two counting semaphores: one for signed-out runs, one for signed-in runs."""

    def __init__(self, *, signed_out: int, signed_in: int) -> None:
        self._lanes = {
            False: threading.BoundedSemaphore(signed_out),
            True: threading.BoundedSemaphore(signed_in),
        }

    @contextmanager
    def slot(self, *, signed_in: bool) -> Iterator[bool]:
        """Hold a slot of the lane for the run; yields False when the wait limit was hit."""
        lane = self._lanes[signed_in]
        taken = lane.acquire(timeout=WAIT_LIMIT_SECONDS)
        if not taken:
            log.warning("a %s run waited %.0f s for a slot", _name(signed_in), WAIT_LIMIT_SECONDS)
        try:
            yield taken
        finally:
            if taken:
                lane.release()


def _name(signed_in: bool) -> str:
    return "signed-in" if signed_in else "signed-out"


@lru_cache(maxsize=4)
def run_lanes(signed_out: int, signed_in: int) -> RunLanes:
    """The process's lanes for these sizes (one set per process, shared by every session)."""
    return RunLanes(signed_out=signed_out, signed_in=signed_in)


def is_signed_in_run(state: Mapping[str, Any], cookies: Mapping[str, str], cookie: str) -> bool:
    """Whether a run belongs to the signed-in lane: the session is signed in, or it brings a
    re-login cookie it has not been refused yet (a refused one is not asked again)."""
    if state.get("authentication_status"):
        return True
    return bool(cookies.get(cookie)) and not state.get("logout")
