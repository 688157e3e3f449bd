"""Several processes opening one new SQLite file at the same instant all get a WAL database."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from portal.db import engine_create
from portal.runtime import runtime_start
from portal.settings import Settings

PROCESSES = 8


def _open_and_write(path: str, start: Any, results: Any, n: int) -> None:
    start.wait()
    engine = engine_create(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS visits (n INTEGER)"))
            conn.execute(text("INSERT INTO visits VALUES (:n)"), {"n": n})
        results.put("ok")
    except Exception as error:  # reported to the test, which names it
        results.put(f"{type(error).__name__}: {error}")
    finally:
        engine.dispose()


def _run(path: Path, target: Callable[..., None], processes: int = PROCESSES) -> list[str]:
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=target, args=(str(path), start, results, n))
        for n in range(processes)
    ]
    for process in workers:
        process.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for process in workers:
        process.join(timeout=30)
    return outcomes


def test_processes_starting_together_on_a_new_file_all_open_it(tmp_path):
    for attempt in range(5):  # the race is narrow; several fresh files make it likely
        path = tmp_path / f"new-{attempt}.sqlite3"
        assert _run(path, _open_and_write) == ["ok"] * PROCESSES
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("SELECT count(*) FROM visits").fetchone()[0] == PROCESSES


def _start_portal(path: str, start: Any, results: Any, n: int) -> None:
    start.wait()
    try:
        runtime_start(Settings(env="test", database_url=f"sqlite:///{path}")).dispose()
        results.put("ok")
    except Exception as error:  # reported to the test, which names it
        results.put(f"{type(error).__name__}: {error}")


def test_portal_processes_starting_together_on_a_new_file_all_migrate_it(tmp_path):
    path = tmp_path / "new.sqlite3"
    assert _run(path, _start_portal, processes=4) == ["ok"] * 4
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone()[0] == 1
