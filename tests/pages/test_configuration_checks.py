"""How often page runs check the configuration: soon again while it fails, rarely while good."""

from types import SimpleNamespace

import pytest

from portal import ui


@pytest.fixture
def checks(monkeypatch):  # type: ignore[no-untyped-def]
    """The checks' calls and answer, and portal.ui's clock, all set by the test."""
    state = SimpleNamespace(now=1000.0, calls=0, problems=[])

    def checks_run(scope):  # type: ignore[no-untyped-def]
        state.calls += 1
        return list(state.problems)

    monkeypatch.setattr(ui, "checks_run", checks_run)
    monkeypatch.setattr(ui, "time", SimpleNamespace(monotonic=lambda: state.now))
    monkeypatch.setattr(ui, "_CHECKED", {})
    return state


def test_a_good_configuration_is_checked_again_only_after_ten_minutes(checks):
    environment = (("PORTAL_ENV", "production"),)
    assert ui._problems(environment) == ()
    checks.now += ui.CHECK_SECONDS * 2  # page runs go on without the third of a second
    assert ui._problems(environment) == ()
    assert checks.calls == 1
    checks.now += ui.GOOD_CHECK_SECONDS
    ui._problems(environment)
    assert checks.calls == 2


def test_a_failing_configuration_is_checked_again_after_thirty_seconds(checks):
    environment = (("PORTAL_ENV", "production"),)
    checks.problems = ["PORTAL_DATABASE_URL: cannot connect"]
    assert ui._problems(environment) == ("PORTAL_DATABASE_URL: cannot connect",)
    checks.now += ui.CHECK_SECONDS - 1
    ui._problems(environment)
    assert checks.calls == 1
    checks.problems = []  # the operator fixed it
    checks.now += 1
    assert ui._problems(environment) == ()
    assert checks.calls == 2
