"""300 participants check in within one minute: nothing lost, nothing duplicated, p95 latency."""

from __future__ import annotations

import os
import random
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import Engine, func, select

from benchmarks.common import bench, fresh_database
from portal.attendance.checkin import attendance_code_submit
from portal.attendance.codes import current_code
from portal.db import session_factory, transaction
from portal.models import (
    Attendance,
    AttendanceChange,
    CodeWindow,
    Course,
    Enrollment,
    License,
    LiveSession,
    Offering,
    User,
    utc_now,
)

PARTICIPANTS = 300
DOUBLE_CLICKS = 30  # this many also submit a second time at once
WORKERS = 24
# Arrivals are spread at random over this many seconds ("300 people within one minute").
SPREAD_SECONDS = float(os.environ.get("BENCH_CHECKIN_SPREAD_SECONDS", "60"))


def _arrange(engine: Engine) -> tuple[list[int], CodeWindow]:
    now = utc_now()
    with transaction(session_factory(engine)) as session:
        course = Course(slug="bench", title="Bench")
        offering = Offering(
            course=course, slug="bench", label="Bench", time_zone="America/Los_Angeles",
            fee_cents=0, early_fee_cents=0,
        )  # fmt: skip
        live = LiveSession(
            position=1, title="Session 1", starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=3), instructional_minutes=180,
        )  # fmt: skip
        offering.sessions = [live]
        users = [
            User(
                username=f"p{i}", email=f"p{i}@example.org", full_name=f"Participant {i}",
                password_hash="!", licenses=[License(profession="lmft", number=f"L{i}", state="CA")],
            )
            for i in range(PARTICIPANTS)
        ]  # fmt: skip
        session.add_all([offering, *users])
        session.flush()
        session.add_all(Enrollment(user_id=u.id, offering_id=offering.id) for u in users)
        window = CodeWindow(
            live_session_id=live.id, kind="in", secret=os.urandom(32).hex(), interval_seconds=300,
            grace_seconds=60, opens_at=now - timedelta(seconds=30),
            closes_at=now + timedelta(minutes=30),
        )  # fmt: skip
        session.add(window)
        session.flush()
        return [u.id for u in users], window


def _burst(engine: Engine, user_ids: list[int], window: CodeWindow, spread: float) -> list[float]:
    factory = session_factory(engine)
    code = current_code(window, utc_now()).code
    calls = user_ids + user_ids[:DOUBLE_CLICKS]
    rng = random.Random(300)
    start = time.perf_counter() + 0.2
    arrivals = {i: start + rng.uniform(0, spread) for i in range(len(calls))}

    def one(i: int) -> float:
        user_id = calls[i]
        time.sleep(max(0.0, arrivals[i] - time.perf_counter()))
        started = time.perf_counter()
        with transaction(factory) as session:
            outcome = attendance_code_submit(
                session=session, user_id=user_id, code=code, now=utc_now()
            )
        assert outcome.ok, outcome.message
        return (time.perf_counter() - started) * 1000

    order = sorted(arrivals, key=arrivals.__getitem__)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(one, order))


def _measure(url: str, suffix: str, spread: float) -> None:
    with fresh_database(url, pool_size=WORKERS, max_overflow=4) as engine:
        user_ids, window = _arrange(engine)
        latencies = _burst(engine, user_ids, window, spread)
        with session_factory(engine)() as session:
            rows = session.scalar(select(func.count()).select_from(Attendance)) or 0
            distinct = (
                session.scalar(select(func.count(func.distinct(Attendance.enrollment_id)))) or 0
            )
            changes = session.scalar(select(func.count()).select_from(AttendanceChange)) or 0
    bench(f"checkin_burst_lost{suffix}", PARTICIPANTS - distinct, "rows")
    bench(f"checkin_burst_duplicates{suffix}", (rows - distinct) + (changes - distinct), "rows")
    p95 = statistics.quantiles(latencies, n=20)[-1]
    bench(f"checkin_p95_ms{suffix}", p95, "ms")


def run() -> None:
    """The burst on PostgreSQL (spread over a minute, then all at once), then on SQLite."""
    from benchmarks.common import PG_URL

    _measure(PG_URL, "", SPREAD_SECONDS)
    # The worst case: every submission at the same instant (a stress figure, not the target).
    _measure(PG_URL, "_all_at_once", 0.0)
    _measure("sqlite://", "_sqlite", SPREAD_SECONDS)
