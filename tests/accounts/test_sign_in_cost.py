"""Sign-in at OWASP's bcrypt cost, rehashing older hashes, and one user lookup per page run."""

import bcrypt
import pytest
from sqlalchemy import Engine, event, select

from portal.accounts import services as accounts
from portal.accounts.passwords import BCRYPT_ROUNDS, password_needs_rehash
from portal.accounts.throttle import SignInPolicy
from portal.models import User
from tests.apptest import app_as
from tests.factories import PASSWORD, enrollment_make, offering_make, user_make

CURRENT = f"$2b${BCRYPT_ROUNDS:02d}$"


def _old_hash(password: str = PASSWORD) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()


def _stored_hash(factory, username: str) -> str:
    with factory() as check:
        return check.scalar(select(User.password_hash).where(User.username == username))


def test_bcrypt_cost_is_owasps_minimum():
    assert BCRYPT_ROUNDS == 10
    assert password_needs_rehash(_old_hash())
    assert password_needs_rehash(bcrypt.hashpw(b"x", bcrypt.gensalt(rounds=12)).decode())
    assert not password_needs_rehash(bcrypt.hashpw(b"x", bcrypt.gensalt(rounds=10)).decode())


def _check(session, username, password):
    return accounts.sign_in_check(
        session=session, username=username, password=password,
        client="198.51.100.7", policy=SignInPolicy(),
    ).user_id  # fmt: skip


def test_a_sign_in_replaces_a_hash_made_with_other_parameters(session, factory):
    user = user_make(session, username="pat")
    user.password_hash = _old_hash()
    session.commit()
    assert _check(session, "pat", PASSWORD) == user.id
    session.commit()
    stored = _stored_hash(factory, "pat")
    assert stored.startswith(CURRENT)
    assert bcrypt.checkpw(PASSWORD.encode(), stored.encode())


def test_a_failed_sign_in_keeps_the_old_hash(session, factory):
    user = user_make(session, username="pat")
    old = user.password_hash = _old_hash()
    session.commit()
    assert _check(session, "pat", "wrong password") is None
    session.commit()
    assert _stored_hash(factory, "pat") == old


def test_signing_in_through_the_form_rehashes(app_env, session, factory):
    user = user_make(session, username="pat")
    user.password_hash = _old_hash()
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
def test_a_page_run_looks_the_person_up_once(app_env, session, user_lookups, page):
    user = user_make(session, username="pat")
    enrollment_make(session, user, offering_make(session))
    session.commit()
    at = app_as(user, page)
    user_lookups.clear()
    at.run()
    assert not at.exception
    assert len(user_lookups) == 1, user_lookups
