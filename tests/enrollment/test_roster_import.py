"""Roster import: preview, line-numbered problems, all or nothing, invitations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.enrollment.roster_import import roster_import, roster_preview
from portal.errors import FieldErrors
from portal.models import AccountToken, AuditEvent, Enrollment, OutboxMessage, User
from tests.factories import offering_make, user_make

HEADER = "name,email,profession,license,offering\n"


def _import(session, admin, data: bytes):
    return roster_import(
        session=session,
        actor_id=admin.id,
        data=data,
        base_url="https://ce.example.org",
        invite_valid_for=timedelta(days=14),
    )


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_good_file_creates_accounts_enrollments_and_invitations(session):
    offering = offering_make(session, slug="2023-05", label="May 2023")
    admin = user_make(session, role="admin")
    existing = user_make(session, username="kim", full_name="Kim Existing", profession="other")
    data = (
        HEADER + "Ana López,ANA@example.org,LMFT,LMFT 1234,2023-05\n"
        f"Kim Existing,{existing.email},rn,RN 99,May 2023\n"
        '"Ng, Ben",ben@example.org,Psychologist,PSY 7,2023-05\n'
    ).encode()
    preview = roster_preview(session, data)
    assert preview.problems == ()
    assert [(r.line, r.account, r.enrollment) for r in preview.rows] == [
        (2, "new", "new"),
        (3, "existing", "new"),
        (4, "new", "new"),
    ]
    _import(session, admin, data)
    ana = session.scalars(select(User).where(User.email == "ana@example.org")).one()
    assert (ana.username, ana.full_name, ana.role) == ("ana", "Ana López", "participant")
    assert [(lic.profession, lic.number, lic.state) for lic in ana.licenses] == [
        ("lmft", "LMFT 1234", "CA")
    ]
    assert {lic.profession for lic in existing.licenses} == {"other", "rn"}
    assert _count(session, Enrollment) == 3
    assert session.scalar(select(func.count()).where(AccountToken.purpose == "invite")) == 2
    invites = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invite")).all()
    assert sorted(m.to_address for m in invites) == ["ana@example.org", "ben@example.org"]
    assert all("https://ce.example.org/set_password?token=" in m.body for m in invites)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "roster.import")).one()
    assert event.details["accounts_created"] == 2 and event.details["offering_ids"] == [offering.id]
    again = roster_preview(session, data)  # importing the same file again changes nothing
    assert {r.enrollment for r in again.rows} == {"existing"}


def test_bad_and_duplicate_rows_are_reported_by_line_and_nothing_is_imported(session):
    offering_make(session, slug="2023-05")
    offering_make(session, slug="gone", status="cancelled")
    admin = user_make(session, role="admin")
    data = (
        HEADER + "Good Person,good@example.org,lmft,LMFT 1,2023-05\n"
        ",noname@example.org,lmft,LMFT 2,2023-05\n"
        "Bad Email,not-an-email,lmft,LMFT 3,2023-05\n"
        "Who,who@example.org,astronaut,X,2023-05\n"
        "No License,nolic@example.org,rn,,2023-05\n"
        "Nowhere,nowhere@example.org,lmft,LMFT 4,1999-01\n"
        "Good Again,GOOD@example.org,lmft,LMFT 1,2023-05\n"
        "Late,late@example.org,lmft,LMFT 5,gone\n"
    ).encode()
    preview = roster_preview(session, data)
    assert [p.line for p in preview.problems] == [3, 4, 5, 6, 7, 8, 9]
    messages = " ".join(p.message for p in preview.problems)
    assert "name is empty" in messages and "duplicate of line 2" in messages
    assert "unknown profession 'astronaut'" in messages and "is cancelled" in messages
    users_before = _count(session, User)
    with pytest.raises(FieldErrors, match="7 line"):
        _import(session, admin, data)
    assert (_count(session, User), _count(session, Enrollment), _count(session, OutboxMessage)) == (
        users_before,
        0,
        0,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,email\nA,a@example.org\n", "Missing column(s): profession, license, offering"),
        (HEADER.encode(), "no rows"),
        ("name,email,profession,license,offering\nZo\xeb".encode("latin-1"), "not UTF-8"),
    ],
)
def test_unusable_files(session, data, message):
    preview = roster_preview(session, data)
    assert preview.rows == () and message in preview.problems[0].message


def test_invited_people_cannot_sign_in_before_choosing_a_password(session):
    offering_make(session, slug="2023-05")
    admin = user_make(session, role="admin")
    _import(session, admin, (HEADER + "Ana,ana@example.org,other,,2023-05\n").encode())
    from portal.accounts.services import sign_in_check
    from portal.accounts.throttle import SignInPolicy

    for guess in ("", "ana", "password", "unknown-user-placeholder-password"):
        result = sign_in_check(
            session=session,
            username="ana",
            password=guess,
            client="198.51.100.7",
            policy=SignInPolicy(pair_attempts=100),
            captcha_passed=True,
        )
        assert result.user_id is None
