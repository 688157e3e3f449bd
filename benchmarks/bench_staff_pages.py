"""Staff pages with 10,000 participants against 10, in the same run: time and memory.

Each page is the real page script run by streamlit.testing's AppTest (as the signed-in staff
member, in this process), on two fresh PostgreSQL databases seeded alike but for size; a
one-line page run the same way shows what AppTest itself costs.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from streamlit.testing.v1 import AppTest

from benchmarks.common import bench, fresh_database
from benchmarks.staff_world import StaffWorld, staff_world_seed
from portal import PROJECT_ROOT
from portal.settings import settings_load

SIZES = (10, 10_000)
RUNS = 5
PAGES = {  # BENCH name -> (page script, who views it)
    "issued_certificates": ("certificates_admin.py", "admin"),
    "live_console": ("live_console.py", "instructor"),
    "evaluation_results": ("evaluation_review.py", "instructor"),
    "bare": ("bare", "instructor"),  # AppTest's own cost: a one-line page
}
BARE_PAGE = PROJECT_ROOT / "benchmarks" / "load" / "bare_page.py"


def _rss_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_reset() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM starts again from VmRSS


@contextmanager
def _app_env(url: str, storage: str) -> Iterator[None]:
    saved = {
        k: os.environ.get(k)
        for k in (
            "PORTAL_ENV",
            "PORTAL_DATABASE_URL",
            "PORTAL_COOKIE_KEY",
            "PORTAL_STORAGE_DIR",
            "PORTAL_SECRETS_FILE",
        )
    }
    os.environ.update(
        PORTAL_ENV="test", PORTAL_DATABASE_URL=url, PORTAL_COOKIE_KEY="bench-" + "k" * 32,
        PORTAL_STORAGE_DIR=storage, PORTAL_SECRETS_FILE=os.devnull,
    )  # fmt: skip
    settings_load.cache_clear()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        settings_load.cache_clear()


def _page_run(script: str, username: str) -> tuple[float, float]:
    """(seconds, MiB the process grew to at its peak) for one run of the page."""
    path = BARE_PAGE if script == "bare" else PROJECT_ROOT / "pages" / script
    at = AppTest.from_file(str(path), default_timeout=300)
    at.session_state["_authenticator"] = None  # as after the entry script ran once
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["signed_in_at"] = datetime.now(UTC)
    before = _rss_mib("VmRSS:")
    _peak_reset()
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"{script}: {at.exception[0].message}")
    return seconds, _rss_mib("VmHWM:") - before


def _measure(
    worlds: dict[int, tuple[str, StaffWorld]], storage: str
) -> dict[str, dict[int, tuple[float, float]]]:
    """Each page on each size, the sizes taken in turn so machine noise hits both alike."""
    results: dict[str, dict[int, tuple[float, float]]] = {}
    for name, (script, role) in PAGES.items():
        runs: dict[int, list[tuple[float, float]]] = {size: [] for size in worlds}
        for attempt in range(RUNS + 1):
            for size, (url, world) in worlds.items():
                with _app_env(url, storage):
                    measured = _page_run(
                        script, world.admin if role == "admin" else world.instructor
                    )
                if attempt:  # the first round warms the engine, imports and caches
                    runs[size].append(measured)
        results[name] = {
            size: (statistics.median(r[0] for r in rs), max(r[1] for r in rs))
            for size, rs in runs.items()
        }
    return results


def run() -> None:
    """Seed both sizes, run each page on each, print ratios and the largest growth."""
    import tempfile

    with ExitStack() as stack:
        storage = stack.enter_context(tempfile.TemporaryDirectory())
        worlds = {}
        for size in SIZES:
            engine = stack.enter_context(fresh_database())
            world = staff_world_seed(engine, size, datetime.now(UTC))
            worlds[size] = (engine.url.render_as_string(hide_password=False), world)
        measured = _measure(worlds, storage)
    small, large = SIZES[0], SIZES[-1]
    bench("page_bare_apptest_ms", measured.pop("bare")[small][0] * 1000, "ms")
    for name, by_size in measured.items():
        bench(f"page_{name}_10_ms", by_size[small][0] * 1000, "ms")
        bench(f"page_{name}_10k_ms", by_size[large][0] * 1000, "ms")
        bench(f"page_{name}_10k_ratio", by_size[large][0] / by_size[small][0], "x")
        bench(f"page_{name}_10k_growth_mib", by_size[large][1], "MiB")
