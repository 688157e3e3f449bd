"""Email addresses are one plain mailbox, stored normalised; mail headers stay single; new
accounts are limited per client address."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.accounts import people
from portal.accounts import services as accounts
from portal.accounts.services import LicenseInput, Registration, email_normalise
from portal.errors import FieldErrors, PortalError
from portal.mail.outbox import mail_enqueue
from portal.mail.sender import email_build
from portal.models import OutboxMessage
from tests.factories import user_make

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _form(email="zoe@example.org", username="zoe"):
    return Registration(
        "Zoë Ng", email, username, "long enough pw", "long enough pw", LicenseInput("other")
    )


@pytest.mark.parametrize(
    "address",
    [
        "victim@example.org,attacker@evil.example",
        "victim@example.org, attacker@evil.example",
        "Victim <victim@example.org>",
        '"a,b"@example.org',
        "victim@example.org\r\nBcc: attacker@evil.example",
        "no-at-sign.example.org",
    ],
)
def test_an_address_that_is_not_one_mailbox_is_refused(session, address):
    with pytest.raises(FieldErrors) as refused:
        accounts.user_register(session=session, form=_form(email=address))
    assert "one email address" in refused.value.errors["email"]


def test_addresses_are_normalised_so_one_mailbox_has_one_account(session):
    assert email_normalise("  Zoe@EXAMPLE.org ") == "zoe@example.org"
    accounts.user_register(session=session, form=_form(email="Zoe@Example.ORG"))
    with pytest.raises(FieldErrors) as refused:
        accounts.user_register(
            session=session, form=_form(email="zoe@example.org", username="zoe2")
        )
    assert "email" in refused.value.errors


def test_a_profile_email_with_a_second_recipient_is_refused(session):
    user = user_make(session)
    with pytest.raises(FieldErrors):
        accounts.profile_update(
            session=session, user_id=user.id, full_name="Pat", email="pat@example.org,x@evil.org"
        )


def test_a_line_break_in_a_subject_cannot_add_a_header(session):
    message = mail_enqueue(
        session=session, kind="test", to_address="pat@example.org",
        subject="Your course\r\nBcc: attacker@evil.example", body="Hello", user_id=None,
    )  # fmt: skip
    built = email_build(message, "CE Office <ce@example.org>").as_string()
    assert "\nBcc:" not in built and "Subject: Your course Bcc: attacker@evil.example" in built


def test_a_stored_address_with_two_recipients_is_never_sent(session):
    message = mail_enqueue(
        session=session, kind="test", to_address="pat@example.org, x@evil.example",
        subject="Hi", body="Hello", user_id=None,
    )  # fmt: skip
    assert message.status == "failed" and "one email address" in message.last_error


def _register(session, i, at=NOW):
    return people.user_register_with_confirmation(
        session=session, form=_form(f"p{i}@example.org", f"person{i}"),
        client="203.0.113.9", per_hour=3, now=at,
    )  # fmt: skip


def test_registration_is_limited_per_client_address(session):
    taken = people.user_register_with_confirmation(
        session=session, form=_form("p0@example.org", "person0"),
        client="203.0.113.9", per_hour=3, now=NOW,
    )  # fmt: skip
    # Probing for taken names counts too: the answer is returned so the count commits.
    assert isinstance(_register(session, 0), FieldErrors)
    assert _register(session, 1).id != taken.id
    with pytest.raises(PortalError, match="Too many new accounts"):
        _register(session, 2)
    assert session.scalar(select(OutboxMessage.to_address).limit(1))
    # Another address, or the same one an hour later, may register.
    assert _register(session, 3, NOW + timedelta(hours=1, seconds=1)).id
