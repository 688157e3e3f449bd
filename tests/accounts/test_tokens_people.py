"""Set-password links (single use, expiring, hashed) and the people admin tools."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.passwords import password_matches
from portal.accounts.people import (
    password_reset_send,
    people_search,
    person_role_change,
    person_set_active,
)
from portal.accounts.tokens import password_set_with_token, token_check, token_digest, token_issue
from portal.errors import FieldErrors, NotAllowed, PortalError
from portal.models import AccountToken, AuditEvent, OutboxMessage, utc_now
from tests.factories import user_make

NEW_PASSWORD = "a brand new secret"


def _reset_link(session, admin, user, minutes=120, now=None):
    password_reset_send(
        session=session,
        actor_id=admin.id,
        user_id=user.id,
        base_url="https://ce.example.org/",
        valid_for=timedelta(minutes=minutes),
        now=now,
    )
    body = session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id.desc())).first()
    return re.search(r"https://ce\.example\.org/set_password\?token=(\S+)", body)[1], body


def test_reset_link_is_single_use_and_ends_sessions(session):
    admin, user = user_make(session, role="admin"), user_make(session)
    token, body = _reset_link(session, admin, user)
    assert "password" in body and NEW_PASSWORD not in body
    stored = session.scalars(select(AccountToken.token_hash)).one()
    assert stored == token_digest(token) and token not in stored
    before = user.sessions_valid_after
    assert token_check(session, token).username == user.username
    password_set_with_token(
        session=session, token=token, password=NEW_PASSWORD, repeat=NEW_PASSWORD
    )
    assert password_matches(NEW_PASSWORD, user.password_hash)
    assert user.sessions_valid_after > before
    assert token_check(session, token) is None
    with pytest.raises(PortalError, match="invalid, already used or expired"):
        password_set_with_token(
            session=session, token=token, password="another password 1", repeat="another password 1"
        )


def test_reset_link_expires(session):
    admin, user = user_make(session, role="admin"), user_make(session)
    issued = utc_now() - timedelta(minutes=121)
    token, _ = _reset_link(session, admin, user, minutes=120, now=issued)
    assert token_check(session, token) is None
    with pytest.raises(PortalError):
        password_set_with_token(
            session=session, token=token, password=NEW_PASSWORD, repeat=NEW_PASSWORD
        )
    still_valid, _ = _reset_link(
        session, admin, user, minutes=120, now=utc_now() - timedelta(minutes=119)
    )
    assert token_check(session, still_valid) is not None


def test_a_new_link_replaces_the_old_and_wrong_tokens_fail(session):
    user = user_make(session)
    now = utc_now()
    old = token_issue(
        session=session, user_id=user.id, purpose="reset", valid_for=timedelta(hours=1), now=now
    )
    new = token_issue(
        session=session, user_id=user.id, purpose="reset", valid_for=timedelta(hours=1), now=now
    )
    assert token_check(session, old) is None and token_check(session, new) is not None
    assert token_check(session, new + "x") is None


def test_link_refuses_weak_or_mismatched_passwords_and_stays_usable(session):
    user = user_make(session)
    token = token_issue(
        session=session,
        user_id=user.id,
        purpose="invite",
        valid_for=timedelta(days=1),
        now=utc_now(),
    )
    with pytest.raises(FieldErrors) as error:
        password_set_with_token(session=session, token=token, password="short", repeat="short")
    assert "password" in error.value.errors
    with pytest.raises(FieldErrors) as error:
        password_set_with_token(
            session=session, token=token, password=NEW_PASSWORD, repeat="other one!!"
        )
    assert "repeat" in error.value.errors
    assert token_check(session, token) is not None


def test_deactivated_people_cannot_use_links_or_get_them(session):
    admin, user = user_make(session, role="admin"), user_make(session)
    token, _ = _reset_link(session, admin, user)
    person_set_active(
        session=session, actor_id=admin.id, user_id=user.id, active=False, reason="left"
    )
    assert token_check(session, token) is None
    with pytest.raises(NotAllowed):
        _reset_link(session, admin, user)
    person_set_active(
        session=session, actor_id=admin.id, user_id=user.id, active=True, reason="back"
    )
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["password.reset_sent", "user.deactivate", "user.reactivate"]


def test_admins_cannot_demote_or_deactivate_themselves(session):
    admin = user_make(session, role="admin")
    with pytest.raises(NotAllowed):
        person_role_change(
            session=session, actor_id=admin.id, user_id=admin.id, role="participant", reason="oops"
        )
    with pytest.raises(NotAllowed):
        person_set_active(
            session=session, actor_id=admin.id, user_id=admin.id, active=False, reason="x"
        )
    with pytest.raises(FieldErrors):
        person_set_active(
            session=session,
            actor_id=admin.id,
            user_id=user_make(session).id,
            active=False,
            reason=" ",
        )


def test_role_change_is_audited(session):
    admin, user = user_make(session, role="admin"), user_make(session)
    person_role_change(
        session=session,
        actor_id=admin.id,
        user_id=user.id,
        role="instructor",
        reason="Teaches the May cohort",
    )
    event = session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_id, event.subject_id, event.details) == (
        "role.change",
        admin.id,
        user.id,
        {"from": "participant", "to": "instructor"},
    )
    assert event.reason == "Teaches the May cohort"


def test_people_search_by_name_email_and_license(session):
    user_make(session, full_name="Ana Lopez", username="alopez", license_number="LMFT 555")
    user_make(session, full_name="Ben Ng", username="bng")
    assert [p.username for p in people_search(session, "lopez")] == ["alopez"]
    assert [p.username for p in people_search(session, "555")] == ["alopez"]
    assert [p.username for p in people_search(session, "BNG@example")] == ["bng"]
    assert people_search(session, "", role="admin") == []
