"""Sign-in at OWASP's argon2id parameters, rehashing older hashes (bcrypt and argon2 with other
parameters), and one user lookup per page run."""

import threading
from concurrent.futures import ThreadPoolExecutor

import argon2
import bcrypt
import pytest
from sqlalchemy import Engine, event, select

from portal.accounts import passwords
from portal.accounts import services as accounts
from portal.accounts.passwords import (
    ARGON2_MEMORY_KIB,
    ARGON2_PARALLELISM,
    ARGON2_TIME_COST,
    password_hash,
    password_matches,
    password_needs_rehash,
)
from portal.accounts.throttle import SignInPolicy
from portal.models import User, utc_now
from portal.recent_reads import RECENT_SECONDS
from tests.apptest import app_as
from tests.factories import PASSWORD, enrollment_make, offering_make, user_make

CURRENT = "$argon2id$v=19$m=7168,t=5,p=1$"


def _bcrypt_hash(password: str = PASSWORD, rounds: int = 4) -> str:
    """A hash as the portal stored them before argon2id (cheap cost: any cost verifies)."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()


def _other_argon2_hash(password: str = PASSWORD) -> str:
    """An argon2id hash with another of OWASP's equivalent settings (m=19456, t=2)."""
    return argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash(password)


def _stored_hash(factory, username: str) -> str:
    with factory() as check:
        return check.scalar(select(User.password_hash).where(User.username == username))


def test_new_hashes_are_argon2id_at_owasps_parameters():
    assert (ARGON2_MEMORY_KIB, ARGON2_TIME_COST, ARGON2_PARALLELISM) == (7168, 5, 1)
    hashed = password_hash(PASSWORD)
    assert hashed.startswith(CURRENT)
    assert argon2.extract_parameters(hashed).type is argon2.Type.ID
    assert argon2.PasswordHasher().verify(hashed, PASSWORD)
    assert password_matches(PASSWORD, hashed)
    assert not password_matches("wrong password", hashed)
    assert not password_needs_rehash(hashed)


def test_a_new_hash_fits_the_users_column():
    assert len(password_hash("ü" * 36)) <= User.__table__.c.password_hash.type.length


def test_bcrypt_and_argon2_with_other_parameters_need_rehashing():
    for rounds in (4, 10, 12):
        legacy = _bcrypt_hash(rounds=rounds)
        assert password_matches(PASSWORD, legacy)
        assert not password_matches("wrong password", legacy)
        assert password_needs_rehash(legacy)
    other = _other_argon2_hash()
    assert password_matches(PASSWORD, other)
    assert password_needs_rehash(other)
    argon2i = argon2.PasswordHasher(
        time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, type=argon2.Type.I
    ).hash(PASSWORD)
    assert password_matches(PASSWORD, argon2i)
    assert password_needs_rehash(argon2i)


@pytest.mark.parametrize("unusable", ["!", "", "x", "$2b$10$", "$argon2id$v=19$m=7168,t=5,p=1$"])
def test_unusable_hashes_never_match_and_never_raise(unusable):
    assert not password_matches(PASSWORD, unusable)
    assert not password_matches("!", unusable)
    assert password_needs_rehash(unusable)


def test_over_long_passwords_never_match():
    long = "ü" * 37  # 74 bytes: refused at registration
    assert not password_matches(long, password_hash(long))
    assert not password_matches(long, _bcrypt_hash(long[:36]))


def _check(session, username, password):
    return accounts.sign_in_check(
        session=session, username=username, password=password,
        client="198.51.100.7", policy=SignInPolicy(),
    ).user_id  # fmt: skip


@pytest.mark.parametrize("older", [_bcrypt_hash, _other_argon2_hash])
def test_a_sign_in_replaces_a_hash_made_with_other_parameters(session, factory, older):
    user = user_make(session, username="pat")
    user.password_hash = older()
    session.commit()
    assert _check(session, "pat", PASSWORD) == user.id
    session.commit()
    stored = _stored_hash(factory, "pat")
    assert stored.startswith(CURRENT)
    assert argon2.PasswordHasher().verify(stored, PASSWORD)
    assert _check(session, "pat", PASSWORD) == user.id  # and the new hash signs in


@pytest.mark.parametrize("older", [_bcrypt_hash, _other_argon2_hash])
def test_a_failed_sign_in_keeps_the_old_hash(session, factory, older):
    user = user_make(session, username="pat")
    old = user.password_hash = older()
    session.commit()
    assert _check(session, "pat", "wrong password") is None
    session.commit()
    assert _stored_hash(factory, "pat") == old


def test_a_current_hash_is_not_rewritten_at_sign_in(session, factory):
    user = user_make(session, username="pat")
    current = user.password_hash = password_hash(PASSWORD)
    session.commit()
    assert _check(session, "pat", PASSWORD) == user.id
    session.commit()
    assert _stored_hash(factory, "pat") == current


def test_an_unusable_placeholder_never_signs_in(session, factory):
    user = user_make(session, username="pat")
    user.password_hash = "!"
    session.commit()
    for password in ("!", PASSWORD, ""):
        assert _check(session, "pat", password) is None
    session.commit()
    assert _stored_hash(factory, "pat") == "!"


def test_signing_in_through_the_form_rehashes_a_bcrypt_hash(app_env, session, factory):
    user = user_make(session, username="pat")
    user.password_hash = _bcrypt_hash()
    session.commit()
    at = app_as(None)
    at.text_input[0].input("pat")
    at.text_input[1].input(PASSWORD)
    at.button[-1].click()
    at.run()
    assert at.session_state["authentication_status"] is True
    assert _stored_hash(factory, "pat").startswith(CURRENT)


@pytest.fixture
def user_lookups():
    """Statements that look a person up by username, counted while the test runs."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "FROM users" in statement and "users.username =" in statement:
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    yield seen
    event.remove(Engine, "before_cursor_execute", count)


def test_a_run_of_the_entry_script_and_its_page_looks_the_person_up_once(
    app_env, session, user_lookups
):
    user = user_make(session, username="pat")
    enrollment_make(session, user, offering_make(session))
    session.commit()
    at = app_as(user)  # AppTest runs the entry script on the first run only
    assert not at.exception
    assert len(user_lookups) == 1, user_lookups


@pytest.mark.parametrize("page", ["check_in.py", "course.py", "participant_home.py"])
def test_a_page_run_looks_the_person_up_once(app_env, session, user_lookups, page, reads_clock):
    user = user_make(session, username="pat")
    enrollment_make(session, user, offering_make(session))
    session.commit()
    at = app_as(user, page)
    user_lookups.clear()
    at.run()  # within a few seconds of the last look-up: none
    assert not at.exception
    assert user_lookups == []
    reads_clock[0] += RECENT_SECONDS
    at.run()
    assert not at.exception
    assert len(user_lookups) == 1, user_lookups


def test_password_checks_run_one_at_a_time_on_one_thread(monkeypatch):
    """From many script runs' threads, hashing happens on one thread, one check at a time
    (argon2's working memory then stays in one place, and a core stays free for pages)."""
    seen: list[str] = []
    running = []
    check = passwords._verified

    def watched(password: str, hashed: str) -> bool:
        running.append(1)
        seen.append(threading.current_thread().name)
        concurrent = len(running)
        matched = check(password, hashed)
        running.pop()
        assert concurrent == 1
        return matched

    monkeypatch.setattr(passwords, "_verified", watched)
    hashed = password_hash(PASSWORD)
    with ThreadPoolExecutor(max_workers=4) as runs:
        results = list(runs.map(lambda _: password_matches(PASSWORD, hashed), range(8)))
    assert results == [True] * 8
    assert len(seen) == 8 and len(set(seen)) == 1


def test_a_sign_in_with_the_old_password_never_undoes_a_password_change(session, factory):
    """The old hash was read and matched; before the sign-in is recorded the person (or an
    admin, or a reset link) sets a new password. The rehash of the old password must not
    overwrite it."""
    user = user_make(session, username="pat")
    old = _bcrypt_hash()
    user.password_hash = old
    session.commit()
    changed = password_hash("a brand new passphrase")
    user.password_hash = changed  # the change lands between the check and the record
    session.commit()
    accounts.sign_in_record(
        session=session, username="pat", client="198.51.100.7", succeeded=True,
        policy=SignInPolicy(), now=utc_now(), new_hash=password_hash(PASSWORD), checked_hash=old,
    )  # fmt: skip
    session.commit()
    assert _stored_hash(factory, "pat") == changed
