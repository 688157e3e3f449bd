"""PostgreSQL connections: pinged only after lying idle, replaced when found dead."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from portal import db
from portal.db import engine_create
from tests.tcp_proxy import tcp_proxy


@pytest.fixture
def proxied(database_url):  # type: ignore[no-untyped-def]
    """An engine on the test database through a TCP proxy the test can cut."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the connection is cut through a TCP proxy in front of PostgreSQL")
    url = make_url(database_url)
    with tcp_proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        engine = engine_create(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
        yield engine, proxy
        engine.dispose()


def _one(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1")).scalar_one()


def test_an_idle_connection_cut_meanwhile_is_replaced_at_checkout(proxied, monkeypatch):
    engine, proxy = proxied
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.05)
    assert _one(engine) == 1
    proxy.cut()  # the database restarts while the pooled connection lies idle
    proxy.restore()
    time.sleep(0.1)
    assert _one(engine) == 1


def test_a_busy_connection_is_not_pinged(proxied, monkeypatch):
    engine, _ = proxied
    pings: list[object] = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(connection))
    for _ in range(3):
        assert _one(engine) == 1
    assert pings == []
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
    assert _one(engine) == 1
    assert len(pings) == 1
