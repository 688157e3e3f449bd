"""What the browsers do: the instructor's console stays open while participants sign in and
check in, then a participant page run is compared with a bare page run."""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import re
import time
from dataclasses import dataclass, field

from benchmarks.load.protocol import RunResult, Shown, StreamlitBrowser, text_value, trigger
from benchmarks.load.seed import INSTRUCTOR, PASSWORD
from portal.accounts.signin_cookie import cookie_token
from portal.models import utc_now

CODE_SHOWN = re.compile(r">([A-Z0-9]{3}) ([A-Z0-9]+)<")
START_SPREAD_SECONDS = 10.0  # every participant starts within this many seconds
# LOAD_SHARED_ADDRESS=203.0.113.7: the whole room behind one address (a venue's Wi-Fi).
SHARED_ADDRESS = os.environ.get("LOAD_SHARED_ADDRESS", "")


@dataclass
class Cookies:
    """Makes the re-login cookie the portal itself would set after a sign-in."""

    name: str
    key: str
    expiry_days: float = 7.0

    def for_user(self, username: str) -> dict[str, str]:
        """The browser's cookie jar of a person who signed in earlier."""
        token, _ = cookie_token(username, key=self.key, expiry_days=self.expiry_days, now=utc_now())
        return {self.name: token}


@dataclass
class Console:
    """The instructor's Live console: when its code display refreshed, and the code it shows."""

    code: str = ""
    refreshed: list[float] = field(default_factory=list)

    def on_delta(self, shown: Shown) -> None:
        """Note each refresh of the code display."""
        if shown.kind == "markdown" and (match := CODE_SHOWN.search(shown.proto.body)):
            self.code = match.group(1) + match.group(2)
            self.refreshed.append(time.perf_counter())

    def max_gap(self, start: float, end: float) -> float:
        """The longest time without a refresh between start and end, in seconds."""
        marks = [start, *(t for t in self.refreshed if start < t < end), end]
        return max(b - a for a, b in itertools.pairwise(marks))


async def console_open(url: str, cookies: Cookies, console: Console) -> StreamlitBrowser:
    """Open the Live console as the signed-in instructor (from the re-login cookie)."""
    browser = StreamlitBrowser(url, cookies=cookies.for_user(INSTRUCTOR), on_delta=console.on_delta)
    await browser.connect()
    await browser.run()
    await browser.run(page="live_console")
    if not console.code:
        raise RuntimeError("the Live console shows no check-in code")
    return browser


async def console_timers(browser: StreamlitBrowser, stop: asyncio.Event) -> None:
    """Fire st.fragment(run_every=...) reruns on the browser's timers until stopped."""

    async def timer(fragment_id: str, interval: float) -> None:
        while not stop.is_set():
            await asyncio.sleep(interval)
            await browser.fragment_rerun(fragment_id)

    await asyncio.gather(*(timer(f, s) for f, s in browser.auto_reruns.items()))


@dataclass
class Outcome:
    """One participant's timings (seconds) or what went wrong."""

    started: float = 0.0
    signin_s: float | None = None
    checkin_s: float | None = None
    done_at: float | None = None
    error: str = ""


async def participant(
    url: str, username: str, console: Console, delay: float, flow: str
) -> Outcome:
    """Sign in with the form, then check in: scan the QR code (a new tab with the code in its
    link) or open Check in and type the code shown on the console."""
    await asyncio.sleep(delay)
    outcome = Outcome(started=time.perf_counter())
    # Each participant's phone has its own address (mobile data); see SHARED_ADDRESS.
    address = SHARED_ADDRESS or f"10.{int(username[-5:]) // 250}.{int(username[-5:]) % 250}.1"
    browser = StreamlitBrowser(url, client_address=address)
    try:
        await browser.connect()
        first = await browser.run()
        await _sign_in(browser, first, username, outcome)
        if flow == "qr":
            await browser.close()
            browser = StreamlitBrowser(url, cookies=browser.cookies, client_address=address)
            await browser.connect()
        await _check_in(browser, console.code, outcome, flow)
    except Exception as error:
        outcome.error = f"{type(error).__name__}: {error}"
    finally:
        await browser.close()
    return outcome


async def _sign_in(browser: StreamlitBrowser, form: RunResult, username: str, out: Outcome) -> None:
    name = browser.widget("text_input", "Username", form)
    password = browser.widget("text_input", "Password", form)
    submit = browser.widget("button", "Sign in", form)
    started = time.perf_counter()
    result = await browser.run(
        widgets=[
            text_value(name.id, username),
            text_value(password.id, PASSWORD),
            trigger(submit.id),
        ]
    )
    if result.find("text_input", "Password") is not None:
        raise RuntimeError(f"sign-in refused: {result.texts('alert')}")
    out.signin_s = time.perf_counter() - started


async def _check_in(browser: StreamlitBrowser, code: str, out: Outcome, flow: str) -> None:
    if flow == "qr":  # the QR link: Check in with ?code= in one step
        started = time.perf_counter()
        result = await browser.run(page="check_in", query_string=f"code={code}")
    else:  # open Check in, type the code, submit
        page = await browser.run(page="check_in")
        field = browser.widget("text_input", "Code on the instructor", page)
        submit = browser.widget("button", "Submit code", page)
        started = time.perf_counter()
        result = await browser.run(widgets=[text_value(field.id, code), trigger(submit.id)])
    alerts = result.texts("alert", every_run=True)
    if not any("Recorded:" in t for t in alerts):
        shown = alerts or [e.text[:40] for e in result.seen][:8]
        raise RuntimeError(f"no confirmation: {shown}")
    out.done_at = time.perf_counter()
    out.checkin_s = out.done_at - started


async def participants(
    url: str,
    usernames: tuple[str, ...],
    console: Console,
    flow: str,
    *,
    timeout: float,
    seed: int = 14,
) -> list[Outcome]:
    """Every participant, each starting at a random moment within the first seconds; those
    not done when the time is up count as lost."""
    rng = random.Random(seed)
    tasks = [
        asyncio.create_task(
            participant(url, name, console, rng.uniform(0, START_SPREAD_SECONDS), flow)
        )
        for name in usernames
    ]
    done, late = await asyncio.wait(tasks, timeout=timeout)
    for task in late:
        task.cancel()
    if late:
        print(f"# {len(late)} participants not done after {timeout:.0f} s", flush=True)
    return [t.result() for t in done]


async def rerun_cost(
    url: str, cookies: dict[str, str], page: str, runs: int, cpu
) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """(server CPU s, wall s) per run of a page, rerun `runs` times in one session."""
    browser = StreamlitBrowser(url, cookies=cookies)
    await browser.connect()
    try:
        await browser.run()
        if page:
            await browser.run(page=page)
        for _ in range(3):  # warm-up
            await browser.run()
        cpu_before, wall_before = cpu(), time.perf_counter()
        for _ in range(runs):
            await browser.run()
        return (cpu() - cpu_before) / runs, (time.perf_counter() - wall_before) / runs
    finally:
        await browser.close()
