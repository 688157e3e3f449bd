"""Each test gets its own database: SQLite always, PostgreSQL too when configured.

A migrated template is built once per run and copied for every test (a file copy on
SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), so tests never share rows.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from portal import PROJECT_ROOT
from portal.courses import content
from portal.db import SessionFactory, database_upgrade, engine_create, session_factory
from portal.settings import settings_load

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


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated database for this test only."""
    if request.param == "sqlite":
        path = tmp_path / "portal.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"portal_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _pg_url_for(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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


@pytest.fixture(autouse=True)
def _release_app_engines() -> Iterator[None]:
    """Close the app's cached engines after each test (their database is dropped)."""
    yield
    from portal import ui

    ui._engine.clear()
