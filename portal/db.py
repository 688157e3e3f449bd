"""Engine, session factory and schema migrations."""

from __future__ import annotations

import fcntl
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from portal import PROJECT_ROOT

SessionFactory = sessionmaker[Session]


def database_url_normalise(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


SQLITE_BUSY_SECONDS = 30.0


def _sqlite_locked(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def _sqlite_wal(cursor: sqlite3.Cursor) -> None:
    """Put the file in WAL mode once, waiting while another process holds it.

    WAL is a property of the file, so only the first connection switches it. The switch needs
    the file to itself and SQLite answers "database is locked" at once instead of honouring
    the busy timeout, so several processes opening a new file together retry here.
    """
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            if cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() == "wal":
                return
        except sqlite3.OperationalError as error:
            if not _sqlite_locked(error) or time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("could not switch the database to WAL mode")
        time.sleep(random.uniform(0.01, 0.05))


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Hand transaction control to SQLAlchemy's "begin" event (the documented recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
    _sqlite_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def engine_create(url: str, **kwargs: object) -> Engine:
    """An engine for the URL; SQLite gets WAL mode, foreign keys and a busy timeout."""
    url = database_url_normalise(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # SQLite's own BEGIN is deferred; take the write lock at BEGIN so that two
        # writers queue up instead of failing on lock upgrade.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    engine = create_engine(url, **{"pool_recycle": RECYCLE_SECONDS, **kwargs})
    event.listen(engine, "checkin", _idle_since)
    event.listen(engine, "checkout", _ping_if_idle(engine))
    return engine


# A pooled connection is replaced after this long (servers and firewalls drop old ones), and
# checked with a round trip only after lying idle this long: a busy server then sends no
# pings, and one cut while in use fails once, which invalidates the pool (the next checkout
# connects afresh) and lets ui.query retry.
RECYCLE_SECONDS = 1800
IDLE_PING_SECONDS = 10.0
_IDLE_SINCE = "idle_since"


def _idle_since(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
    """A checkin hook: note when the connection went back to the pool."""
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(engine: Engine):  # type: ignore[no-untyped-def]
    """A checkout hook: ping a connection that lay idle; a dead one is replaced by the pool."""

    def check(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("the pooled connection is gone") from error

    return check


def session_factory(engine: Engine) -> SessionFactory:
    """Sessions that keep loaded values readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: SessionFactory) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error."""
    with factory.begin() as session:
        yield session


def insert_for(session: Session):  # type: ignore[no-untyped-def]
    """The dialect's INSERT construct, which offers ON CONFLICT (both databases support it)."""
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration bound to an engine."""
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "db"))
    config.attributes["engine"] = engine
    return config


# Any fixed number: PostgreSQL advisory locks are named by integers.
MIGRATION_LOCK_ID = 7_406_113


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """One migration at a time: a second `db upgrade` waits, then finds nothing to do."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            lock.commit()
            try:
                yield
            finally:
                lock.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
                lock.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}-migrate-lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def database_upgrade(engine: Engine, revision: str = "heads", *, lock: bool = True) -> None:
    """Bring the database to the latest (or the given) revision.

    lock=False when the caller holds migration_lock already (it is not re-entrant).
    """
    if not lock:
        command.upgrade(alembic_config(engine), revision)
        return
    with migration_lock(engine):
        command.upgrade(alembic_config(engine), revision)


def database_downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to an earlier revision (tests of migrations use it)."""
    command.downgrade(alembic_config(engine), revision)
