"""The People page adds a person of any role and sends the invitation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.people import person_create_invited
from portal.errors import NotAllowed
from portal.models import OutboxMessage, User
from tests.apptest import app_as, texts
from tests.factories import user_make


def _add(at, name, email, username, role):
    at.text_input(key="person_add_name").input(name)
    at.text_input(key="person_add_email").input(email)
    at.text_input(key="person_add_username").input(username)
    at.selectbox(key="person_add_role").select(role)
    next(b for b in at.button if b.label == "Add and send the invitation").click()
    return at.run()


def test_an_admin_adds_an_instructor_who_is_invited(app_env, session, factory):
    admin = user_make(session, role="admin")
    session.commit()
    at = _add(
        app_as(admin, "admin_people.py"), "Rae Instructor", "rae@example.org", "rae", "instructor"
    )
    assert not at.exception
    assert "Rae Instructor was added as instructor" in texts(at)
    with factory() as s:
        assert s.scalar(select(User.role).where(User.username == "rae")) == "instructor"
        mail = s.scalars(select(OutboxMessage)).one()
        assert mail.kind == "invite" and mail.to_address == "rae@example.org"


def test_a_taken_email_is_shown_next_to_the_field(app_env, session, factory):
    admin = user_make(session, role="admin")
    session.commit()
    at = _add(app_as(admin, "admin_people.py"), "Someone", admin.email, "someone", "participant")
    assert not at.exception
    assert "Another account uses this email" in texts(at)
    with factory() as s:
        assert s.scalars(select(OutboxMessage)).first() is None


@pytest.mark.parametrize("role", ["participant", "instructor"])
def test_only_admins_add_people(session, role):
    actor = user_make(session, role=role)
    with pytest.raises(NotAllowed):
        person_create_invited(
            session=session, actor_id=actor.id, username="newbie", email="n@example.org",
            full_name="New Person", role="admin", base_url="https://ce.example.org",
            valid_for=timedelta(days=14),
        )  # fmt: skip
