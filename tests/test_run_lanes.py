"""Run lanes: signed-out runs cannot take the slots signed-in runs need, and a stuck run
does not stop the others for ever."""

from __future__ import annotations

import threading

import pytest

from portal import run_lanes
from portal.run_lanes import RunLanes, is_signed_in_run


def _holder(lanes: RunLanes, *, signed_in: bool, release: threading.Event) -> threading.Event:
    """Start a thread that holds a slot until `release` is set; returns when it holds it."""
    holding = threading.Event()

    def hold() -> None:
        with lanes.slot(signed_in=signed_in):
            holding.set()
            release.wait(5)

    threading.Thread(target=hold, daemon=True).start()
    assert holding.wait(5)
    return holding


def _taken_within(lanes: RunLanes, *, signed_in: bool, seconds: float) -> bool:
    got = threading.Event()

    def take() -> None:
        with lanes.slot(signed_in=signed_in):
            got.set()

    threading.Thread(target=take, daemon=True).start()
    return got.wait(seconds)


def test_a_full_signed_out_lane_makes_the_next_sign_in_wait_its_turn():
    lanes, release = RunLanes(signed_out=1, signed_in=2), threading.Event()
    _holder(lanes, signed_in=False, release=release)
    assert not _taken_within(lanes, signed_in=False, seconds=0.3)
    release.set()
    assert _taken_within(lanes, signed_in=False, seconds=5)


def test_signed_in_runs_go_ahead_while_sign_ins_fill_their_lane():
    lanes, release = RunLanes(signed_out=1, signed_in=2), threading.Event()
    _holder(lanes, signed_in=False, release=release)
    assert _taken_within(lanes, signed_in=True, seconds=1)
    release.set()


def test_the_signed_in_lane_holds_as_many_runs_as_its_size():
    lanes, release = RunLanes(signed_out=1, signed_in=2), threading.Event()
    _holder(lanes, signed_in=True, release=release)
    _holder(lanes, signed_in=True, release=release)
    assert not _taken_within(lanes, signed_in=True, seconds=0.3)
    release.set()


def test_a_run_stuck_in_its_slot_lets_the_next_one_go_after_the_wait_limit(monkeypatch):
    monkeypatch.setattr(run_lanes, "WAIT_LIMIT_SECONDS", 0.2)
    lanes, release = RunLanes(signed_out=1, signed_in=1), threading.Event()
    _holder(lanes, signed_in=True, release=release)
    with lanes.slot(signed_in=True) as taken:
        assert taken is False  # went ahead without a slot
    release.set()
    # Time enough for the holder to give its slot back on a loaded machine.
    monkeypatch.setattr(run_lanes, "WAIT_LIMIT_SECONDS", 30.0)
    with lanes.slot(signed_in=True) as taken:  # the slot it did not take was not given back
        assert taken is True


@pytest.mark.parametrize(
    ("state", "cookies", "signed_in"),
    [
        ({"authentication_status": True}, {}, True),
        ({}, {"ce_portal_auth": "token"}, True),  # restored from the cookie in this run
        ({"logout": True}, {"ce_portal_auth": "token"}, False),  # that cookie was refused
        ({}, {}, False),
        ({"authentication_status": None}, {"other": "x"}, False),
    ],
)
def test_which_runs_are_signed_in(state, cookies, signed_in):
    assert is_signed_in_run(state, cookies, "ce_portal_auth") is signed_in
