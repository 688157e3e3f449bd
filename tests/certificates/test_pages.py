import dataclasses

import pytest
from sqlalchemy import select

from portal.certificates.services import certificate_claim, certificate_revoke
from portal.models import Certificate
from tests.apptest import app_as, texts
from tests.apptest import page_alone as page_as
from tests.factories import user_make
from tests.factories_certificates import evaluation_set, issuer_make, participant_ready

REFUSED = "This page is not available to your role."


def plain(at):
    """The page's texts without markdown escapes."""
    return texts(at).replace("\\", "")


def _issued(session, monkeypatch):
    evaluation_set(monkeypatch, True)
    user, enrollment = participant_ready(session, licenses=[("rn", "654321", "CA")])
    number = certificate_claim(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        credit_type_id="BRN",
        issuer=issuer_make(),
    )
    session.commit()
    return user, number


def test_participant_sees_the_checklist_with_what_is_missing(app_env, session, monkeypatch):
    evaluation_set(monkeypatch, False)
    user, _ = participant_ready(session, licenses=[("rn", None, "CA")], attended=False)
    session.commit()
    at = app_as(user, "certificates.py")
    assert not at.exception
    text = plain(at)
    assert "California BRN contact hours" in text
    assert "Attended 0 of 2 sessions in full" in text
    assert "Submit the evaluation" in text
    assert "Add your license number to your profile" in text
    assert "attendance certificate" not in text.lower() or "qualify for no CE credit" in text
    assert not [b for b in at.button if b.key and b.key.startswith("claim_")]


def test_participant_claims_and_downloads(app_env, session, monkeypatch):
    evaluation_set(monkeypatch, True)
    user, _ = participant_ready(session, licenses=[("rn", "654321", "CA")])
    session.commit()
    at = app_as(user, "certificates.py")
    [claim] = [b for b in at.button if b.key and b.key.startswith("claim_")]
    claim.click().run()
    assert not at.exception
    number = session.scalar(select(Certificate.number))
    assert f"Certificate {number} is issued." in plain(at)
    assert [d for d in at.get("download_button") if d.proto.label.startswith("Download cert")]


def test_home_checklist_shows_the_certificate_state(app_env, session, monkeypatch):
    user, number = _issued(session, monkeypatch)
    at = app_as(user, "participant_home.py")
    assert not at.exception
    assert f"Issued ({number})" in plain(at)


def test_verify_page_from_the_qr_link_without_sign_in(app_env, session, monkeypatch):
    _, number = _issued(session, monkeypatch)
    at = app_as(None)
    at.query_params["number"] = number
    at.switch_page("pages/verify.py").run()
    assert not at.exception
    text = plain(at)
    assert "Valid." in text and "Zoë Nguyễn-Ångström" in text and "7.0 contact hours" in text


@pytest.mark.parametrize("role", ["participant", "instructor", "admin"])
def test_verify_page_works_for_every_role(app_env, session, role):
    user = user_make(session, role=role)
    session.commit()
    at = app_as(user, "verify.py")
    at.text_input(key="verify_number").input("CE-AAAAAAAAAAAA")
    at.button[0].click().run()
    assert not at.exception
    assert "Not found." in plain(at)


def _choose_offering(at):
    """Choose the test's offering (the app also syncs the course file's own offering)."""
    box = at.selectbox(key="certificates_offering")
    [index] = [i for i, label in enumerate(box.options) if "— Offering " in label]
    box.select_index(index).run()


def test_admin_page_lists_guidance_and_revoked_status(app_env, session, monkeypatch):
    _issued(session, monkeypatch)
    admin = user_make(session, role="admin")
    row = session.scalar(select(Certificate))
    certificate_revoke(session=session, certificate_id=row.id, actor_id=admin.id, reason="test")
    session.commit()
    at = app_as(admin, "certificates_admin.py")
    _choose_offering(at)
    assert not at.exception
    text = plain(at)
    assert "within 90 days" in text and "by August 23, 2023" in text
    [table] = [d for d in at.dataframe if "Number" in d.value.columns]
    assert list(table.value["Status"]) == ["revoked"]


def test_admin_makes_a_zip_and_a_preview(app_env, session, monkeypatch):
    _issued(session, monkeypatch)
    admin = user_make(session, role="admin")
    session.commit()
    at = app_as(admin, "certificates_admin.py")
    _choose_offering(at)
    at.button(key="certificates_zip_make").click().run()
    assert not at.exception
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Download the ZIP (1 certificates)" in labels
    at.selectbox(key="preview_credit_type").select("BRN")
    [make] = [b for b in at.button if b.proto.label == "Make the sample"]
    make.click().run()
    assert not at.exception
    assert "Download the sample (PDF)" in [d.proto.label for d in at.get("download_button")]


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("instructor", "certificates.py"),
        ("admin", "certificates.py"),
        ("participant", "certificates_admin.py"),
        ("instructor", "certificates_admin.py"),
    ],
)
def test_pages_refuse_other_roles(app_env, session, role, page):
    # The menu does not offer these pages to the role; a direct URL runs the page itself.
    user = user_make(session, role=role)
    session.commit()
    at = page_as(user, page)
    assert REFUSED in plain(at)


@pytest.mark.parametrize("page", ["certificates.py", "certificates_admin.py"])
def test_pages_ask_anonymous_visitors_to_sign_in(app_env, page):
    at = page_as(None, page)
    assert "Please sign in to see this page." in plain(at)


def test_verify_page_calls_a_demo_certificate_demo(app_env, session, monkeypatch):
    evaluation_set(monkeypatch, True)
    user, enrollment = participant_ready(session, licenses=[("rn", "654321", "CA")])
    number = certificate_claim(
        session=session,
        user_id=user.id,
        enrollment_id=enrollment.id,
        credit_type_id="BRN",
        issuer=dataclasses.replace(issuer_make(), demo=True),
    )
    session.commit()
    at = app_as(None)
    at.query_params["number"] = number
    at.switch_page("pages/verify.py").run()
    assert not at.exception
    text = plain(at)
    assert "DEMO — not a valid CE certificate." in text
    assert "Valid." not in text


UNPRINTABLE = "Sukarno ꦱꦸꦏꦂꦤ"  # Javanese script: no certificate font has it


def test_a_name_no_font_prints_is_explained_to_the_participant(app_env, session, monkeypatch):
    evaluation_set(monkeypatch, True)
    user, _ = participant_ready(session, licenses=[("rn", "654321", "CA")], full_name=UNPRINTABLE)
    session.commit()
    at = app_as(user, "certificates.py")
    assert "cannot print your name" in plain(at) and "Check your name in Profile" in plain(at)
    [claim] = [b for b in at.button if b.key and b.key.startswith("claim_")]
    claim.click().run()
    assert not at.exception
    assert "is issued" not in plain(at)
    assert [e.value for e in at.error if "cannot print your name" in e.value]
    assert session.scalars(select(Certificate)).all() == []


def test_the_ce_office_sees_names_no_font_prints(app_env, session, monkeypatch):
    evaluation_set(monkeypatch, True)
    participant_ready(session, licenses=[("rn", "654321", "CA")], full_name=UNPRINTABLE)
    admin = user_make(session, role="admin")
    session.commit()
    at = app_as(admin, "certificates_admin.py")
    _choose_offering(at)
    assert not at.exception
    assert "No certificate font prints these participants' names" in plain(at)
    [table] = [d for d in at.dataframe if "Cannot print" in d.value.columns]
    assert list(table.value["Participant"]) == [UNPRINTABLE]
