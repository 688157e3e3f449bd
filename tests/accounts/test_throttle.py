"""Sign-in throttling: attackers slow down, the owner is never locked out."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts import services as accounts
from portal.accounts.throttle import SignInPolicy
from portal.db import transaction
from portal.models import AuditEvent, SignInThrottle
from tests.factories import PASSWORD, user_make

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"
POLICY = SignInPolicy()


@pytest.fixture
def quick_checks(monkeypatch):
    """Hashing is not what these tests are about: a right password is PASSWORD on an account."""
    from portal.accounts.passwords import dummy_hash

    monkeypatch.setattr(
        accounts, "password_matches", lambda pw, hashed: pw == PASSWORD and hashed != dummy_hash()
    )


def _try(session, username, password, client, at, captcha=False):
    return accounts.sign_in_check(
        session=session,
        username=username,
        password=password,
        client=client,
        policy=POLICY,
        now=at,
        captcha_passed=captcha,
    )


def _actions(session, action):
    return session.scalar(select(func.count()).where(AuditEvent.action == action))


def test_the_owner_signs_in_from_elsewhere_after_a_storm_of_failures(session, quick_checks):
    user = user_make(session, username="pat")
    # Wrong passwords every few minutes for an hour: the old lockout weapon.
    for i in range(30):
        _try(session, "pat", f"guess {i}", ATTACKER, NOW + timedelta(minutes=2 * i), captcha=True)
    later = NOW + timedelta(minutes=60)
    # The attacker's own address waits, even with the right password and the CAPTCHA.
    refused = _try(session, "pat", PASSWORD, ATTACKER, later, captcha=True)
    assert refused.user_id is None and "Try again in" in refused.message
    # The owner, from another address, is asked for the CAPTCHA and then gets in.
    asked = _try(session, "pat", PASSWORD, OWNER, later)
    assert asked.user_id is None and asked.captcha_needed
    assert _try(session, "pat", PASSWORD, OWNER, later, captcha=True).user_id == user.id
    assert _actions(session, "sign_in.succeeded") == 1
    assert _actions(session, "sign_in.throttled") >= 1
    assert 0 < _actions(session, "sign_in.failed") < 30


def test_delays_grow_with_each_further_failure(session, quick_checks):
    user_make(session, username="pat")
    at = NOW
    for i in range(POLICY.pair_attempts):
        assert _try(session, "pat", f"guess {i}", ATTACKER, at, captcha=True).message
    assert "30 seconds" in _try(session, "pat", PASSWORD, ATTACKER, at, captcha=True).message
    at += timedelta(seconds=31)
    assert _try(session, "pat", "guess again", ATTACKER, at, captcha=True).user_id is None
    refused = _try(session, "pat", PASSWORD, ATTACKER, at + timedelta(seconds=31), captcha=True)
    assert "Try again in" in refused.message  # now a minute
    at += timedelta(seconds=61)
    assert _try(session, "pat", PASSWORD, ATTACKER, at, captcha=True).user_id is not None


def test_one_address_guessing_across_accounts_is_slowed(session, quick_checks):
    for i in range(POLICY.address_attempts):
        _try(session, f"someone{i}", "guess", ATTACKER, NOW, captcha=True)
    user = user_make(session, username="pat")
    refused = _try(session, "pat", PASSWORD, ATTACKER, NOW, captcha=True)
    assert "Too many failed sign-ins" in refused.message
    assert _try(session, "pat", PASSWORD, OWNER, NOW).user_id == user.id


VENUE = "192.0.2.200"


def test_a_room_behind_one_address_signs_in_at_once_without_captcha_or_wait(session, quick_checks):
    """Forty people on a venue's Wi-Fi press Sign in together, a few of them with a typo:
    nobody else is asked for a CAPTCHA or made to wait, and every right password gets in."""
    from portal.accounts import throttle

    room = [user_make(session, username=f"p{i}") for i in range(40)]
    for typo in room[:3]:
        assert _try(session, typo.username, "typo", VENUE, NOW).user_id is None
    gates = [
        throttle.sign_in_begin(
            session=session,
            username=person.username,
            client=VENUE,
            captcha_passed=False,
            policy=POLICY,
            now=NOW,
        )
        for person in room[3:]
    ]  # all begun before any has finished, as when they arrive together
    assert all(g.allowed and not g.captcha_needed for g in gates)
    for person in room[3:]:
        finished = throttle.sign_in_finish(
            session=session,
            username=person.username,
            client=VENUE,
            succeeded=True,
            policy=POLICY,
            now=NOW,
        )
        assert finished == person.id


def test_the_captcha_is_asked_after_repeated_failures_on_an_account(session, quick_checks):
    user_make(session, username="pat")
    for i in range(POLICY.captcha_after):
        assert not _try(session, "pat", f"guess {i}", f"192.0.2.{i}", NOW).captcha_needed
    result = _try(session, "pat", PASSWORD, OWNER, NOW)
    assert result.captcha_needed and result.user_id is None


def test_the_profile_password_check_shares_the_limit(session):
    user = user_make(session, username="pat")
    refusals = [
        accounts.password_change(
            session=session,
            user_id=user.id,
            current=f"guess {i}",
            new="a brand new pass",
            repeat="a brand new pass",
            client=ATTACKER,
            policy=POLICY,
            now=NOW,
        )
        for i in range(POLICY.pair_attempts)
    ]
    assert all("current_password" in r.errors for r in refusals)
    with pytest.raises(Exception, match="Too many failed sign-ins"):
        accounts.password_change(
            session=session,
            user_id=user.id,
            current=PASSWORD,
            new="a brand new pass",
            repeat="a brand new pass",
            client=ATTACKER,
            policy=POLICY,
            now=NOW + timedelta(seconds=1),
        )


def test_twenty_concurrent_guesses_evaluate_at_most_the_limit(
    session, factory, database_url, quick_checks
):
    if not database_url.startswith("postgresql"):
        pytest.skip("thread concurrency is meaningful on PostgreSQL")
    user_make(session, username="pat")
    session.commit()
    barrier = threading.Barrier(20)

    def worker(i: int) -> None:
        barrier.wait()
        with transaction(factory) as s:
            _try(s, "pat", f"guess {i}", ATTACKER, NOW, captcha=True)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _actions(session, "sign_in.failed") <= POLICY.pair_attempts


def test_passwords_keep_their_spaces_at_registration_and_sign_in(session):
    form = accounts.Registration(
        "Sam Spaces",
        "sam@example.org",
        "sam",
        "  spaced out pass  ",
        "  spaced out pass  ",
        accounts.LicenseInput("other"),
    )
    user = accounts.user_register(session=session, form=form)
    assert _try(session, "sam", "  spaced out pass  ", OWNER, NOW).user_id == user.id
    assert _try(session, "sam", "spaced out pass", OWNER, NOW).user_id is None


def test_counters_idle_for_a_day_are_forgotten(session, quick_checks):
    user_make(session, username="pat")
    _try(session, "nobody", "guess", ATTACKER, NOW - timedelta(days=2), captcha=True)
    assert session.scalar(select(func.count()).select_from(SignInThrottle)) == 3
    assert _try(session, "pat", PASSWORD, OWNER, NOW).user_id is not None
    # The owner's own counters went with the success; an address keeps only failures.
    assert session.scalar(select(func.count()).select_from(SignInThrottle)) == 0
