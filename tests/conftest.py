"""Each test gets its own database: SQLite always, PostgreSQL too when configured.

A migrated template is built once per run and copied for every test (a file copy on
SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), so tests never share rows. On
PostgreSQL a background thread per test process copies the next databases while a test
runs and drops used ones afterwards, so a test waits for neither.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import app_test

from portal import PROJECT_ROOT
from portal.courses import content
from portal.db import SessionFactory, database_upgrade, engine_create, session_factory
from portal.settings import settings_load

# Every new AppTest scans the metadata of every installed package for Streamlit components:
# about 0.6 s, most of a page test's time. Nothing gets installed while the suite runs, so
# each test process scans once.
manifest_scanner.scan_component_manifests = functools.cache(
    manifest_scanner.scan_component_manifests
)

# Without PORTAL_ENV the portal is production; tests run in test mode unless they say otherwise.
os.environ["PORTAL_ENV"] = "test"
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def _pg_admin_engine() -> Engine:
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    # NullPool: every admin connection closes when released, none lingers between tests.
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _pg_url_for(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


# Page scripts only read widgets and call services, and every service is tested on both
# databases; AppTest runs of pages on PostgreSQL would double the slowest part of the
# suite without testing anything new, so page modules run on SQLite.
PAGE_MODULES = ("tests/pages/", "test_pages.py", "_page.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the PostgreSQL runs of page modules."""
    keep, drop = [], []
    for item in items:
        page_module = any(part in item.nodeid.split("::")[0] for part in PAGE_MODULES)
        on_pg = getattr(item, "callspec", None) and item.callspec.params.get("database_url")
        (drop if page_module and on_pg == "postgresql" else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


# With `--dist loadfile` each test module is one unit of work, handed to whichever worker
# is free. The longest go first, so that the two workers finish together, and a browser
# module (Chromium plus live servers) never runs beside another while other work is left,
# since two of them at once fight over the two cores (see _OneBrowserModuleAtATime).
LONG_MODULES = (
    "tests/browser/test_every_page.py",
    "tests/browser/",
    "tests/operations/test_runbook.py",
    "tests/test_migrations_once.py",
    "tests/mail/test_send_loop.py",
)


def _is_browser_module(scope: str) -> bool:
    return scope.startswith("tests/browser/")


def pytest_xdist_make_scheduler(config: pytest.Config, log):  # type: ignore[no-untyped-def]
    """`--dist loadfile`, longest modules first and one browser module at a time."""
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class _OneBrowserModuleAtATime(LoadFileScheduling):
        def _assign_work_unit(self, node) -> None:  # type: ignore[no-untyped-def]
            """Hand out the module that goes first; not a browser module while another
            worker still has one, unless nothing else is left."""
            others_busy = any(
                _is_browser_module(scope) and not all(done.values())
                for other, work in self.assigned_work.items()
                if other is not node
                for scope, done in work.items()
            )

            def rank(item: tuple[int, str]) -> tuple[int, int, int, int]:
                index, scope = item
                long = [n for n, prefix in enumerate(LONG_MODULES) if scope.startswith(prefix)]
                held = others_busy and _is_browser_module(scope)
                # Then the modules with the most tests, as xdist's own order does.
                return (
                    held,
                    long[0] if long else len(LONG_MODULES),
                    -len(self.workqueue[scope]),
                    index,
                )

            _, chosen = min(enumerate(self.workqueue), key=rank)
            self.workqueue.move_to_end(chosen, last=False)
            super()._assign_work_unit(node)

    return _OneBrowserModuleAtATime(config, log)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated PostgreSQL database to copy; the run fails when PostgreSQL is unreachable."""
    name = f"portal_tmpl_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        pytest.exit(f"PORTAL_TEST_DATABASE_URL is set but PostgreSQL is unreachable: {error}", 1)
    engine = engine_create(_pg_url_for(name))
    database_upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file to copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = engine_create(f"sqlite:///{path}")
    database_upgrade(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


class PgDatabasePool:
    """Fresh copies of the template made ahead, and used databases dropped, by two threads.

    Every database is handed out once and dropped after its test, as before; only the
    waiting moves off the tests' path. Copies come first, since a test may be waiting for
    one; a copy and a drop mostly wait for the disk, so two threads overlap them.
    """

    AHEAD = 2  # copies kept ready (or being made): one for the next test, one spare
    THREADS = 2
    TAKE_TIMEOUT_S = 300.0

    def __init__(self, template: str) -> None:
        self._template = template
        self._ready: deque[str] = deque()
        self._used: deque[str] = deque()
        self._copying = 0
        self._error: BaseException | None = None
        self._closing = False
        self._changed = threading.Condition()
        self._threads = [
            threading.Thread(target=self._work, name=f"pg-database-pool-{n}", daemon=True)
            for n in range(self.THREADS)
        ]
        for thread in self._threads:
            thread.start()

    def take(self) -> str:
        """The name of a fresh copy of the template, for one test only."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._ready or self._error is not None, timeout=self.TAKE_TIMEOUT_S
            )
            if not self._ready:
                raise RuntimeError("no copy of the PostgreSQL template came") from self._error
            name = self._ready.popleft()
            self._changed.notify_all()
            return name

    def give_back(self, name: str) -> None:
        """Drop the database (in the background)."""
        with self._changed:
            self._used.append(name)
            self._changed.notify_all()

    def close(self) -> None:
        """Drop every database left, used or not, stop the threads, and raise what failed."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        for thread in self._threads:
            thread.join()
        if self._error is not None:
            raise RuntimeError("a PostgreSQL test database failed to copy or drop") from self._error

    def _next_job(self) -> str | None:
        """The next statement to run, or None once closing and nothing is left to drop."""
        with self._changed:
            while True:
                if self._closing:
                    if self._ready or self._used:
                        name = (self._used or self._ready).popleft()
                        return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                    return None
                if len(self._ready) + self._copying < self.AHEAD and self._error is None:
                    self._copying += 1
                    name = f"portal_t_{uuid.uuid4().hex[:12]}"
                    return f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"'
                if self._used:
                    return f'DROP DATABASE IF EXISTS "{self._used.popleft()}" WITH (FORCE)'
                self._changed.wait()

    def _work(self) -> None:
        admin = _pg_admin_engine()
        while (sql := self._next_job()) is not None:
            copy = sql.startswith("CREATE")
            try:
                with admin.connect() as conn:
                    conn.execute(text(sql))
                error = None
            except Exception as failed:  # a waiting test raises it; close() raises it too
                error = failed
            with self._changed:
                if copy:
                    self._copying -= 1
                    if error is None:
                        self._ready.append(sql.split('"')[1])
                self._error = self._error or error
                self._changed.notify_all()
        admin.dispose()


@pytest.fixture(scope="session")
def pg_pool(pg_template: str) -> Iterator[PgDatabasePool]:
    """This test process's supply of fresh PostgreSQL databases."""
    pool = PgDatabasePool(pg_template)
    yield pool
    pool.close()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated database for this test only."""
    if request.param == "sqlite":
        path = tmp_path / "portal.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    pool: PgDatabasePool = request.getfixturevalue("pg_pool")
    name = pool.take()
    yield _pg_url_for(name)
    pool.give_back(name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on this test's database."""
    engine = engine_create(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> SessionFactory:
    """Sessions on this test's database."""
    return session_factory(engine)


@pytest.fixture
def session(factory: SessionFactory) -> Iterator[Session]:
    """A session for arranging and checking data; tests commit what services must see."""
    with factory() as session:
        yield session


@pytest.fixture(scope="session")
def courses() -> dict[str, content.Course]:
    """The courses shipped in content/."""
    return content.courses_load(PROJECT_ROOT / "content")


@pytest.fixture
def course(courses: dict[str, content.Course]) -> content.Course:
    """The workshop."""
    return courses["fostering-compassion-in-couples"]


@pytest.fixture
def app_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """Environment for running the app (AppTest or a server) on this test's database."""
    monkeypatch.setenv("PORTAL_ENV", "test")
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_COOKIE_KEY", "test-cookie-key-" + uuid.uuid4().hex)
    monkeypatch.setenv("PORTAL_STORAGE_DIR", str(tmp_path / "storage"))
    monkeypatch.setenv("PORTAL_SECRETS_FILE", str(tmp_path / "no-secrets.toml"))
    settings_load.cache_clear()
    yield database_url
    settings_load.cache_clear()


@pytest.fixture
def reads_clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The clock of portal.recent_reads, standing still until the test moves it (element 0);
    Streamlit and everything else keep the real one."""
    from portal import recent_reads

    now = [1000.0]
    monkeypatch.setattr(recent_reads, "time", SimpleNamespace(monotonic=lambda: now[0]))
    return now


@pytest.fixture(autouse=True)
def _release_app_engines() -> Iterator[None]:
    """Close the app's cached engines after each test (their database is dropped)."""
    yield
    from portal import ui

    ui._engine.clear()


@pytest.fixture
def through_entry_script(monkeypatch: pytest.MonkeyPatch) -> None:
    """Page runs go through streamlit_app.py as on a running server.

    AppTest re-detects the pages/ folder on every run and then runs a page on its own; a
    server does so only until the entry script first calls st.navigation.
    """

    class EntryPages(app_test.PagesManager):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            app_test.PagesManager.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", EntryPages)
