"""Browser fixtures: a live portal server per module, one Chromium per test process, a fresh
browser context per test, and screenshots under tests/artifacts/.

A module seeds its server's database by overriding the `server_seed` fixture:

    @pytest.fixture(scope="module")
    def server_seed():
        return lambda session: user_make(session, username="pat")
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.browser import helpers
from tests.browser.server import (
    LiveServer,
    Seed,
    database_prepare,
    server_start,
    server_stop,
    servers_stop,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}

ServerStarter = Callable[..., LiveServer]
ContextMaker = Callable[..., BrowserContext]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in tests/browser/ is a browser test."""
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Keep each phase's report on the test item, so fixtures can see a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """The Playwright driver (Debian's Chromium; never `playwright install`)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser-deps` (apt-get install chromium)")
    expect.set_options(timeout=helpers.TIMEOUT_MS)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for every browser module of this test process (each test has
    its own context: no cookie or storage is shared)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def server_seed() -> Seed | None:
    """What the module's server database holds besides the course content (override it)."""
    return None


@pytest.fixture(scope="module")
def server_mode() -> str:
    """PORTAL_ENV of the module's server: "demo" where it signs in with the demo accounts,
    which no other mode lets in (override it)."""
    return "test"


def _start(tmp: Path, seed: Seed | None, mode: str = "test") -> LiveServer:
    return server_start(database_prepare(tmp / "portal.sqlite3", seed), tmp, mode)


@pytest.fixture(scope="module")
def live_server(
    server_seed: Seed | None, server_mode: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The module's portal server on a fresh SQLite database."""
    server = _start(tmp_path_factory.mktemp("live_server"), server_seed, server_mode)
    yield server
    server_stop(server)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The portal as `make run` starts it: demo mode, on a fresh database the demo seed filled."""
    tmp = tmp_path_factory.mktemp("demo_server")
    database_url = database_prepare(tmp / "portal.sqlite3", helpers.demo_seed_now)
    server = server_start(database_url, tmp, mode="demo")
    yield server
    server_stop(server)


@pytest.fixture
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerStarter]:
    """Start a new server process for this test only: `fresh_server(seed)`."""
    started: list[LiveServer] = []

    def start(seed: Seed | None = None) -> LiveServer:
        started.append(_start(tmp_path_factory.mktemp("fresh_server"), seed))
        return started[-1]

    yield start
    servers_stop(started)


@pytest.fixture
def new_context(chromium: Browser, request: pytest.FixtureRequest) -> Iterator[ContextMaker]:
    """Open another browser context on a server: `new_context(server, **options)`; a failing
    test leaves a screenshot of each tab it opened."""
    opened: list[BrowserContext] = []

    def make(server: LiveServer, **options: object) -> BrowserContext:
        settings: dict[str, object] = {
            "base_url": server.url,
            "viewport": VIEWPORT,
            "timezone_id": "America/New_York",
            "locale": "en-US",
        }
        settings.update(options)
        context = chromium.new_context(**settings)  # type: ignore[arg-type]
        context.set_default_timeout(helpers.TIMEOUT_MS)
        opened.append(context)
        return context

    yield make
    report = getattr(request.node, "report_call", None)
    tabs = [tab for context in opened for tab in context.pages if not tab.is_closed()]
    for n, tab in enumerate(tabs if report is not None and report.failed else []):
        helpers.shot(tab, f"{request.node.name}-failed-{n}")
    for context in opened:
        context.close()


@pytest.fixture
def context(new_context: ContextMaker, live_server: LiveServer) -> BrowserContext:
    """A fresh browser context (no cookies) on the module's server."""
    return new_context(live_server)


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A tab in this test's browser context; a failing test leaves a screenshot of it."""
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and not tab.is_closed():
        helpers.shot(tab, f"{request.node.name}-failed")


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """`screenshot(page, step)` saves tests/artifacts/<test-name>-<step>.png."""
    return lambda page, step: helpers.shot(page, f"{request.node.name}-{step}")
