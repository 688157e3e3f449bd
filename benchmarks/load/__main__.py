"""`python -m benchmarks.load [--users N] [--processes N] [--flow form|qr]`: prints BENCH lines."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import segno

from benchmarks.common import PG_URL, bench
from benchmarks.load import scenario
from benchmarks.load.protocol import StreamlitBrowser
from benchmarks.load.seed import attendance_counts, fresh_database, seed
from benchmarks.load.servers import Portal, portal
from portal.models import utc_now

PHASE_TIMEOUT_SECONDS = 300.0  # the participants' phase is cut off after this
# Page runs per measurement (CPU is counted in 10 ms ticks) and measurements per page.
RATIO_RUNS = 500
RATIO_ROUNDS = 5


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20)[-1]


async def _sample_memory(servers: Portal, stop: asyncio.Event) -> None:
    while not stop.is_set():
        for process in servers.processes:
            process.rss_mib()
        await asyncio.sleep(0.5)


async def _warm(servers: Portal) -> None:
    """Open the sign-in page once on each process, as the deploy's smoke check would: a
    process's first session also starts its engine and checks the database."""
    for process in servers.processes:
        browser = StreamlitBrowser(process.url)
        await browser.connect()
        await browser.run()
        await browser.close()


async def _load(servers: Portal, seeded, cookies: scenario.Cookies, flow: str) -> None:  # type: ignore[no-untyped-def]
    await _warm(servers)
    console = scenario.Console()
    browser = await scenario.console_open(servers.url, cookies, console)
    stop = asyncio.Event()
    timers = asyncio.create_task(scenario.console_timers(browser, stop))
    sampler = asyncio.create_task(_sample_memory(servers, stop))
    for process in servers.processes:
        process.cpu_at_start = process.cpu_seconds()
    started = time.perf_counter()
    outcomes = await scenario.participants(
        servers.url, seeded.usernames, console, flow, timeout=PHASE_TIMEOUT_SECONDS
    )
    ended = time.perf_counter()
    cpu = sum(p.cpu_seconds() - p.cpu_at_start for p in servers.processes)
    stop.set()
    await asyncio.gather(timers, sampler, return_exceptions=True)
    await browser.close()
    _report(seeded, outcomes, console, started, ended, cpu, servers)


def _report(seeded, outcomes, console, started, ended, cpu, servers) -> None:  # type: ignore[no-untyped-def]
    users = len(seeded.usernames)
    done = [o for o in outcomes if o.done_at is not None]
    for reason in sorted({o.error for o in outcomes if o.error})[:5]:
        print(f"# failure: {reason}", flush=True)
    rows, distinct, changes = attendance_counts(seeded.database_url, seeded.live_session_id)
    last = max((o.done_at for o in done), default=ended)
    first = min((o.started for o in outcomes), default=started)
    bench("load_participants", users, "participants")
    bench("load_wall_s", last - first, "s")
    bench("load_signin_p95_ms", _p95([o.signin_s * 1000 for o in outcomes if o.signin_s]), "ms")
    bench("load_checkin_p95_ms", _p95([o.checkin_s * 1000 for o in done]), "ms")
    bench("load_console_max_gap_ms", console.max_gap(started, ended) * 1000, "ms")
    bench("load_lost", users - min(distinct, len(done)), "participants")
    bench("load_duplicates", (rows - distinct) + max(0, changes - distinct), "rows")
    bench("load_rss_peak_mib", max(p.rss_peak_mib for p in servers.processes), "MiB")
    bench("load_cpu_s_per_participant", cpu / users, "s")


async def _quiet(process) -> None:  # type: ignore[no-untyped-def]
    """Wait (up to 20 s) until the process has stopped working off the load: closing 300
    sessions costs CPU that would otherwise be counted as page runs."""
    for _ in range(40):
        before = process.cpu_seconds()
        await asyncio.sleep(0.5)
        if process.cpu_seconds() - before <= 0.01:
            return


async def _page_ratio(servers: Portal, cookies: scenario.Cookies, username: str) -> None:
    app = servers.processes[0]
    await _quiet(app)
    page: list[tuple[float, float]] = []
    bare: list[tuple[float, float]] = []
    for _ in range(RATIO_ROUNDS):  # alternated, so a noisy moment touches both alike
        page.append(
            await scenario.rerun_cost(
                app.url, cookies.for_user(username), "check_in", RATIO_RUNS, app.cpu_seconds
            )
        )
        bare.append(
            await scenario.rerun_cost(
                servers.bare.url, {}, "", RATIO_RUNS, servers.bare.cpu_seconds
            )
        )
    page_cpu, page_wall = (statistics.median(costs) for costs in zip(*page, strict=True))
    bare_cpu, bare_wall = (statistics.median(costs) for costs in zip(*bare, strict=True))
    bench("page_run_cpu_ms", page_cpu * 1000, "ms")
    bench("bare_page_run_cpu_ms", bare_cpu * 1000, "ms")
    bench("page_run_ms", page_wall * 1000, "ms")
    bench("bare_page_run_ms", bare_wall * 1000, "ms")
    bench("page_run_ratio", page_cpu / bare_cpu if bare_cpu else float("nan"), "x")


def main(argv: list[str]) -> int:
    """Seed a fresh database, start the portal, drive the browsers, print BENCH lines."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--users", type=int, default=int(os.environ.get("USERS", 300)))
    parser.add_argument("--processes", type=int, default=int(os.environ.get("PROCESSES", 1)))
    parser.add_argument("--flow", choices=("qr", "form"), default=os.environ.get("FLOW", "qr"))
    args = parser.parse_args(argv)
    cookies = scenario.Cookies("ce_portal_auth", secrets.token_urlsafe(32))
    with fresh_database(PG_URL) as url, tempfile.TemporaryDirectory() as storage:
        seeded = seed(url, args.users, utc_now())
        signature = Path(storage) / "signature.png"
        segno.make("Load test signer").save(signature, scale=4)
        env = {
            "PORTAL_ENV": "production", "PORTAL_DATABASE_URL": url,
            "PORTAL_COOKIE_KEY": cookies.key, "PORTAL_COOKIE_NAME": cookies.name,
            "PORTAL_STORAGE_DIR": storage, "PORTAL_SECRETS_FILE": os.devnull,
            "PORTAL_PUBLIC_BASE_URL": "https://ce.example.org",
            # The harness (and nginx) stand where the production proxy does.
            "PORTAL_TRUSTED_PROXIES": "127.0.0.1/32",
            "PORTAL_CE_ADMINISTRATOR_NAME": "Dana Reyes, PhD",
            "PORTAL_CE_ADMINISTRATOR_TITLE": "Director of Continuing Education",
            "PORTAL_CE_ADMINISTRATOR_SIGNATURE": str(signature),
        }  # fmt: skip
        print(f"# {args.users} participants, {args.processes} process(es), flow {args.flow}")
        with portal(args.processes, env) as servers:
            asyncio.run(_load(servers, seeded, cookies, args.flow))
            asyncio.run(_page_ratio(servers, cookies, seeded.usernames[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
