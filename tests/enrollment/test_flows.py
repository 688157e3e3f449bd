"""Main interactions through the real pages (AppTest)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.passwords import password_matches
from portal.accounts.tokens import token_issue
from portal.models import (
    AuditEvent,
    CancellationRequest,
    Enrollment,
    Offering,
    OutboxMessage,
    Payment,
    User,
)
from tests.apptest import app_as, texts
from tests.factories import enrollment_make, offering_make, user_make


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _choose(at, key, text):
    box = at.selectbox(key=key)
    box.select_index(next(i for i, o in enumerate(box.options) if text in o)).run()


def test_participant_enrolls_and_requests_cancellation(app_env, session, factory):
    offering = offering_make(session, label="Spring cohort")
    user = user_make(session)
    session.commit()
    at = app_as(user, "enroll.py")
    _button(at, "Enroll for $225.00").click().run()
    assert not at.exception
    assert "You are enrolled" in texts(at) and "you owe $225.00" in texts(at)
    at.text_area(key=f"cancel_{_enrollment_id(factory, user)}_text").input("Please cancel me.")
    at.checkbox(key=f"cancel_{_enrollment_id(factory, user)}_confirm").check()
    _button(at, "Send cancellation request").click().run()
    assert not at.exception
    assert "waiting for the CE office" in texts(at)
    with factory() as s:
        request = s.scalars(select(CancellationRequest)).one()
        assert (request.status, request.statement) == ("pending", "Please cancel me.")
        assert s.get(Offering, offering.id).status == "open"


def _enrollment_id(factory, user) -> int:
    with factory() as s:
        return s.scalars(select(Enrollment.id).where(Enrollment.user_id == user.id)).one()


def test_cancellation_without_confirmation_is_refused_beside_the_box(app_env, session, factory):
    user = user_make(session)
    enrollment = enrollment_make(session, user, offering_make(session))
    session.commit()
    at = app_as(user, "enroll.py")
    at.text_area(key=f"cancel_{enrollment.id}_text").input("Cancel")
    _button(at, "Send cancellation request").click().run()
    assert "Confirm that you have read the refund amount" in texts(at)
    with factory() as s:
        assert s.scalars(select(CancellationRequest)).all() == []


def test_set_password_through_the_link_signed_out(app_env, session, factory):
    user = user_make(session, username="invited")
    token = token_issue(
        session=session,
        user_id=user.id,
        purpose="invite",
        valid_for=timedelta(days=1),
        now=user.created_at,
    )
    session.commit()
    at = app_as(None)
    at.query_params["token"] = token
    at.switch_page("pages/set_password.py").run()
    assert "Account: **invited**" in texts(at)
    at.text_input(key="set_password_new").input("my own long password")
    at.text_input(key="set_password_repeat").input("my own long password")
    _button(at, "Set password").click().run()
    assert not at.exception
    assert "Your password is set" in texts(at)
    with factory() as s:
        assert password_matches("my own long password", s.get(User, user.id).password_hash)


def test_admin_imports_a_roster_and_sees_bad_lines(app_env, session, factory):
    offering_make(session, slug="2023-05")
    admin = user_make(session, role="admin")
    session.commit()
    at = app_as(admin, "admin_import.py")
    bad = b"name,email,profession,license,offering\nA,a@example.org,lmft,L1,2023-05\nB,bad,lmft,L2,2023-05\n"
    at.file_uploader(key="import_file").set_value(("roster.csv", bad, "text/csv")).run()
    assert "1 line(s) have problems" in texts(at)
    assert _button(at, "Import all rows").disabled
    good = b"name,email,profession,license,offering\nA,a@example.org,lmft,L1,2023-05\n"
    at.file_uploader(key="import_file").set_value(("roster.csv", good, "text/csv")).run()
    _button(at, "Import all rows").click().run()
    assert not at.exception and "Imported 1 row(s)" in texts(at)
    with factory() as s:
        assert s.scalars(select(User.email).where(User.email == "a@example.org")).one()


def test_admin_sends_reset_records_payment_and_cancels_offering(app_env, session, factory):
    admin = user_make(session, role="admin")
    user = user_make(session, full_name="Pat Payer")
    offering = offering_make(session, label="Fall cohort")
    enrollment_make(session, user, offering)
    session.commit()
    at = app_as(admin, "admin_people.py")
    at.text_input(key="people_search").input("Pat Payer").run()
    _button(at, "Send a password-reset link").click().run()
    assert not at.exception and "A reset link is queued" in texts(at)

    at = app_as(admin, "admin_payments.py")
    _choose(at, "pay_offering", "Fall cohort")
    at.text_input(key="pay_amount").input("225")
    at.text_input(key="pay_reference").input("CHK-100")
    _button(at, "Record payment").click().run()
    assert not at.exception and "Payment recorded." in texts(at)

    at = app_as(admin, "admin_offerings.py")
    _choose(at, "offering_choice", "Fall cohort")
    at.text_input(key=f"off_{offering.id}_cancel_reason").input("Low enrollment")
    _button(at, "Cancel the offering").click().run()
    assert not at.exception and "1 enrollment(s) get a full refund" in texts(at)
    with factory() as s:
        assert s.scalars(select(OutboxMessage.kind).where(OutboxMessage.kind == "reset")).one()
        assert s.scalars(select(Payment.amount_cents)).one() == 22500
        assert s.get(Offering, offering.id).status == "cancelled"
        actions = set(s.scalars(select(AuditEvent.action)))
        assert {"password.reset_sent", "payment.record", "offering.cancel"} <= actions
