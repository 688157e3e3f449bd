import argon2
import pytest
from sqlalchemy import select

from portal.accounts import services as accounts
from portal.accounts.passwords import password_matches
from portal.accounts.services import LicenseInput, Registration
from portal.accounts.throttle import SignInPolicy
from portal.errors import FieldErrors
from portal.models import AuditEvent, User
from tests.factories import PASSWORD, user_make

CURRENT = "$argon2id$v=19$m=7168,t=5,p=1$"

GOOD = Registration(
    "Zoë Nguyễn-Ångström",
    "zoe@example.org",
    "zoe",
    "long enough pw",
    "long enough pw",
    LicenseInput("lmft", "LMFT 123", "CA"),
)


def _register(session, **changes):
    values = {**GOOD.__dict__, **changes}
    return accounts.user_register(session=session, form=Registration(**values))


def _errors(session, **changes) -> dict[str, str]:
    with pytest.raises(FieldErrors) as error:
        _register(session, **changes)
    return error.value.errors


def test_registration_creates_a_participant_with_a_license(session):
    user = _register(session, username="Zoe", email="Zoe@Example.org")
    assert (user.role, user.username, user.email) == ("participant", "zoe", "zoe@example.org")
    assert user.full_name == "Zoë Nguyễn-Ångström"
    assert [(lic.profession, lic.number, lic.state) for lic in user.licenses] == [
        ("lmft", "LMFT 123", "CA")
    ]
    assert user.password_hash != "long enough pw"
    assert user.password_hash.startswith(CURRENT)
    assert password_matches("long enough pw", user.password_hash)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"full_name": "   "}, "full_name"),
        ({"email": "not-an-email"}, "email"),
        ({"username": "a"}, "username"),
        ({"username": "has space"}, "username"),
        ({"password": "short", "password_repeat": "short"}, "password"),
        ({"password_repeat": "something else"}, "password_repeat"),
        ({"license": LicenseInput("rn", "", "CA")}, "license_number"),
        ({"license": LicenseInput("lmft", "LMFT 1", "")}, "license_state"),
        ({"license": LicenseInput("", "", "")}, "profession"),
    ],
)
def test_registration_refuses_bad_input_beside_the_field(session, changes, field):
    assert field in _errors(session, **changes)
    assert session.scalar(select(User)) is None


def test_a_nurse_without_a_license_number_is_refused(session):
    errors = _errors(session, license=LicenseInput("rn", " ", "CA"))
    assert errors == {"license_number": "Enter your license number."}


def test_other_professions_need_no_license(session):
    user = _register(session, license=LicenseInput("other", "ignored", "ZZ"))
    assert (user.licenses[0].number, user.licenses[0].state) == (None, None)


def test_passwords_keep_spaces_and_refuse_over_72_bytes_with_a_message(session):
    user = _register(session, password="  ten chars ", password_repeat="  ten chars ")
    assert password_matches("  ten chars ", user.password_hash)
    assert not password_matches("ten chars", user.password_hash)
    long = "ü" * 37  # 74 bytes
    errors = _errors(
        session, username="other", email="o@example.org", password=long, password_repeat=long
    )
    assert "72 bytes" in errors["password"]


def test_username_and_email_are_unique_whatever_their_case(session):
    _register(session)
    errors = _errors(session, username="ZOE", email="ZOE@example.org")
    assert set(errors) == {"username", "email"}


def _change(session, user, current, new="a brand new pass", repeat="a brand new pass"):
    return accounts.password_change(
        session=session,
        user_id=user.id,
        current=current,
        new=new,
        repeat=repeat,
        client="198.51.100.7",
        policy=SignInPolicy(),
    )


def test_password_change_checks_the_current_password_and_ends_other_sign_ins(session):
    user = user_make(session)
    before = user.sessions_valid_after
    refused = _change(session, user, "wrong password")
    assert "current_password" in refused.errors
    assert _change(session, user, PASSWORD) is None
    assert user.sessions_valid_after > before
    assert user.password_hash.startswith(CURRENT)
    assert password_matches("a brand new pass", user.password_hash)
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["password_check.failed", "password_check.succeeded", "password.changed"]


def test_sign_out_ends_earlier_sign_ins(session):
    user = user_make(session)
    before = user.sessions_valid_after
    accounts.sign_out(session=session, user_id=user.id)
    assert accounts.sessions_valid_since(session, user.username) > before


def _attempt(session, username, password):
    return accounts.sign_in_check(
        session=session,
        username=username,
        password=password,
        client="198.51.100.7",
        policy=SignInPolicy(),
    ).user_id


def test_sign_in_with_the_right_password(session):
    user = user_make(session, username="pat")
    assert _attempt(session, "Pat", PASSWORD) == user.id


def test_a_deactivated_account_cannot_sign_in(session):
    user = user_make(session, username="pat")
    user.is_active = False
    assert _attempt(session, "pat", PASSWORD) is None


def test_unknown_and_known_usernames_cost_the_same_argon2_work(session, monkeypatch):
    user_make(session, username="pat")
    calls = []
    real = argon2.PasswordHasher.verify
    monkeypatch.setattr(
        argon2.PasswordHasher, "verify", lambda ph, h, pw: calls.append(h) or real(ph, h, pw)
    )
    for username in ("pat", "nobody-here"):
        assert _attempt(session, username, "wrong password") is None
    assert _attempt(session, "pat", "ü" * 37) is None  # over-long: checked against the dummy
    assert len(calls) == 3
    assert all(h.startswith(CURRENT) for h in calls)


def test_role_change_needs_a_reason_and_is_audited(session):
    admin, user = user_make(session, role="admin"), user_make(session)
    with pytest.raises(FieldErrors):
        accounts.role_change(
            session=session, actor_id=admin.id, user_id=user.id, role="instructor", reason=" "
        )
    accounts.role_change(
        session=session,
        actor_id=admin.id,
        user_id=user.id,
        role="instructor",
        reason="Teaches the May cohort",
    )
    event = session.scalar(select(AuditEvent))
    assert (event.action, event.actor_id, event.subject_id) == ("role.change", admin.id, user.id)
    assert event.details == {"from": "participant", "to": "instructor"}
    assert user.role == "instructor"


def test_licenses_are_added_updated_and_the_last_one_kept(session):
    user = user_make(session)
    accounts.license_save(
        session=session, user_id=user.id, license=LicenseInput("rn", "RN 9", "ca")
    )
    accounts.license_save(
        session=session, user_id=user.id, license=LicenseInput("rn", "RN 10", "CA")
    )
    assert sorted((lic.profession, lic.number) for lic in user.licenses) == [
        ("lmft", "LMFT 100001"),
        ("rn", "RN 10"),
    ]
    for lic in list(user.licenses)[:-1]:
        accounts.license_remove(session=session, user_id=user.id, license_id=lic.id)
    with pytest.raises(FieldErrors):
        accounts.license_remove(session=session, user_id=user.id, license_id=user.licenses[0].id)


def test_a_person_cannot_remove_another_persons_license(session):
    owner, other = user_make(session), user_make(session)
    from portal.errors import NotFound

    with pytest.raises(NotFound):
        accounts.license_remove(session=session, user_id=other.id, license_id=owner.licenses[0].id)


def test_demo_accounts_sign_in_only_in_demo_mode(session):
    admin = user_make(session, role="admin", username="demo-admin", password="demo-admin")
    kwargs = {"client": "198.51.100.7", "policy": SignInPolicy()}
    refused = accounts.sign_in_check(
        session=session, username="demo-admin", password="demo-admin", **kwargs
    )
    assert refused.user_id is None
    assert accounts.sessions_valid_since(session, "demo-admin") is None
    allowed = accounts.sign_in_check(
        session=session, username="Demo-Admin", password="demo-admin", demo_mode=True, **kwargs
    )
    assert allowed.user_id == admin.id
    assert accounts.sessions_valid_since(session, "demo-admin", demo_mode=True) is not None
