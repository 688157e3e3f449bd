"""The guided-practice timer arithmetic."""

from portal.courses.content import PracticeStep
from portal.learning.practice_timer import (
    TimerState,
    clock,
    step_at,
    timer_elapsed,
    timer_pause,
    timer_reset,
    timer_start,
)

STEPS = (PracticeStep(seconds=30, text="a"), PracticeStep(seconds=60, text="b"))


def test_start_pause_resume_excludes_pauses():
    state = timer_start(timer_reset(), now=100.0)
    assert timer_elapsed(state, 110.0) == 10.0
    state = timer_pause(state, now=115.0)
    assert not state.running and timer_elapsed(state, 500.0) == 15.0
    state = timer_start(state, now=200.0)
    assert timer_elapsed(state, 205.0) == 20.0


def test_repeated_start_and_pause_change_nothing():
    state = timer_start(TimerState(), now=10.0)
    assert timer_start(state, now=50.0) == state
    paused = timer_pause(state, now=20.0)
    assert timer_pause(paused, now=90.0) == paused


def test_clock_going_backwards_never_gives_negative_time():
    assert timer_elapsed(TimerState(5.0, 100.0), now=90.0) == 5.0


def test_step_at_boundaries():
    assert step_at(STEPS, 0).index == 0
    assert step_at(STEPS, 29.9).index == 0
    position = step_at(STEPS, 30)
    assert (position.index, position.step_elapsed, position.step_remaining) == (1, 0.0, 60.0)
    assert step_at(STEPS, 89.5).step_remaining == 0.5
    assert step_at(STEPS, 90).finished
    assert step_at(STEPS, 10_000).total_seconds == 90
    assert step_at((), 0).finished


def test_clock():
    assert clock(0) == "0:00"
    assert clock(65.9) == "1:05"
    assert clock(3600) == "60:00"
