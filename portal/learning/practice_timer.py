"""The guided-practice timer: start, pause, resume, and which script step is due.

Pure arithmetic on instants in seconds (time.time() on the page: wall-clock time, so a
timer keeps running across reruns and reconnects), tested without Streamlit, and the same
whether or not a recording exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from portal.courses.content import PracticeStep


@dataclass(frozen=True)
class TimerState:
    """Elapsed seconds banked before the current run, and when the current run started."""

    banked: float = 0.0
    running_since: float | None = None

    @property
    def running(self) -> bool:
        """Whether the clock is running."""
        return self.running_since is not None


def timer_elapsed(state: TimerState, now: float) -> float:
    """Seconds of practice so far, pauses excluded."""
    if state.running_since is None:
        return state.banked
    return state.banked + max(0.0, now - state.running_since)


def timer_start(state: TimerState, now: float) -> TimerState:
    """Start, or resume after a pause (starting a running timer changes nothing)."""
    return state if state.running else TimerState(state.banked, now)


def timer_pause(state: TimerState, now: float) -> TimerState:
    """Stop the clock, keeping the time practised so far."""
    return TimerState(timer_elapsed(state, now), None) if state.running else state


def timer_reset() -> TimerState:
    """A timer back at zero, stopped."""
    return TimerState()


@dataclass(frozen=True)
class StepPosition:
    """Where a practice is at some elapsed time."""

    index: int  # the current step; -1 once the practice is over
    step_elapsed: float
    step_remaining: float
    total_seconds: int

    @property
    def finished(self) -> bool:
        """Whether every step's time has passed."""
        return self.index < 0


def step_at(steps: Sequence[PracticeStep], elapsed: float) -> StepPosition:
    """The step due after `elapsed` seconds; index -1 once every step is over."""
    total = sum(step.seconds for step in steps)
    start = 0
    for index, step in enumerate(steps):
        if elapsed < start + step.seconds:
            into = max(0.0, elapsed - start)
            return StepPosition(index, into, step.seconds - into, total)
        start += step.seconds
    return StepPosition(-1, 0.0, 0.0, total)


def clock(seconds: float) -> str:
    """'m:ss' for a number of seconds."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
